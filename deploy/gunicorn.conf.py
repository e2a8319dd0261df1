"""Gunicorn settings for OneDoor (`make serve`, deploy/systemd/onedoor-web.service, deploy/Containerfile).

Every value can be changed from the environment. gunicorn's master process restarts any web worker
that dies or hangs past `timeout`.
"""

import multiprocessing
import os

bind = os.environ.get("ONEDOOR_BIND", "127.0.0.1:8000")
# Threads serve the many requests that wait on the database; processes use the cores.
workers = int(os.environ.get("ONEDOOR_WEB_WORKERS", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("ONEDOOR_WEB_THREADS", "4"))
worker_class = "gthread"
# The listen queue: runserver's held 10, and reset connections under 60 clients.
backlog = int(os.environ.get("ONEDOOR_WEB_BACKLOG", "2048"))
timeout = int(os.environ.get("ONEDOOR_WEB_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests, so a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
# Paths without query strings: answers typed into a search form stay out of the log. The logger also
# writes the token of a sign-in or password-reset link as "[redacted]" (onedoor/core/access_log.py).
logger_class = "onedoor.core.access_log.RedactingLogger"
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
forwarded_allow_ips = os.environ.get("ONEDOOR_FORWARDED_ALLOW_IPS", "127.0.0.1")
# No runtime control socket: it would be one shared path for every server on the machine, and
# systemd or the supervisor already manage the process.
control_socket_disable = True
