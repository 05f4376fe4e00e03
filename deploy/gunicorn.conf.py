"""gunicorn settings; every one can be overridden by environment variables."""
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("THREADS", "4"))
timeout = 30
accesslog = "-"
errorlog = "-"
# Diagram scripts are bounded in time by the engine; a worker stuck beyond this is killed.
graceful_timeout = 20
