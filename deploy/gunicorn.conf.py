"""gunicorn settings; every one can be overridden by environment variables."""
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("THREADS", "4"))
timeout = 30
accesslog = "-"
# The default line, then the request id the app answered with (the app's own log lines carry it too).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(L)ss rid=%({x-request-id}o)s'
errorlog = "-"
# Diagram scripts are bounded in time by the engine; a worker stuck beyond this is killed.
graceful_timeout = 20
