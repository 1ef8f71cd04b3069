"""gunicorn settings for the console, read from the environment (docker-compose and runconsole use them)."""

from iam_console.settings_registry import read

bind = read("GUNICORN_BIND")
workers = read("GUNICORN_WORKERS")
threads = read("GUNICORN_THREADS")
# gunicorn's own workers, whose refusals of oversized requests answer in the door's shape (JSON, XML).
worker_class = ("iam_console.gunicorn_workers.ThreadWorker" if threads > 1
                else "iam_console.gunicorn_workers.SyncWorker")
# The longest request line gunicorn takes (its maximum; the default is 4094): a Query API GET or a REST path with
# long names reaches the application, which answers it; past this, the worker above answers RequestURITooLong.
limit_request_line = 8190
timeout = read("GUNICORN_TIMEOUT")
graceful_timeout = 10
# Keep-alive helps scripts that send many signed requests over one connection.
keepalive = 5
accesslog = read("GUNICORN_ACCESS_LOG")
# The console needs no gunicorn control socket, and a shared default path would clash between instances.
control_socket_disable = True
# Do not trust X-Forwarded-* from anyone but a proxy on the same host.
forwarded_allow_ips = read("FORWARDED_ALLOW_IPS")
