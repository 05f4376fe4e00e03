"""What the pages, the API and the commands call. Services flush; the request or command
wrapper commits (see app/db_session.py), so one user action is one transaction."""
