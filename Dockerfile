# The IAM console for production: gunicorn serves the web app; the same image runs the Celery worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system iam && useradd --system --gid iam --home-dir /app --shell /usr/sbin/nologin iam

WORKDIR /app
COPY pyproject.toml README.md ./
COPY iam_console ./iam_console
COPY directory ./directory
COPY policies ./policies
COPY sts ./sts
COPY organizations ./organizations
COPY accounts ./accounts
COPY audit ./audit
COPY identitystore ./identitystore
COPY identitycenter ./identitycenter
COPY evidence ./evidence
COPY analyzers ./analyzers
COPY templates ./templates
COPY static ./static
COPY manage.py ./
# Installed in place (editable), as the sources in /app, where settings find templates/ and static/.
RUN pip install -e . && rm -rf build

# collectstatic needs settings but no database or secret of the deployment: give it throwaway ones.
RUN SECRET_KEY=collectstatic-only-not-a-real-secret-0123456789 \
    DATABASE_URL=postgresql://unused@localhost/unused REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput --verbosity 0

# The metrics folder shared by the web server and the worker (a volume in docker-compose.yml).
RUN mkdir -p /var/lib/iam-metrics && chown iam:iam /var/lib/iam-metrics

USER iam
EXPOSE 8000
ENV GUNICORN_BIND=0.0.0.0:8000
CMD ["gunicorn", "iam_console.wsgi:application", "--config", "/app/iam_console/gunicorn.conf.py"]
