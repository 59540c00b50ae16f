FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# pg_dump/pg_restore for `manage.py backup` and `restore` (PostgreSQL 15, like the database).
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
# The lock (scripts/lock.sh): every dependency pinned, each file checked against its hash.
COPY requirements/base.txt requirements/base.txt
RUN pip install --no-cache-dir --require-hashes -r requirements/base.txt
COPY . .
RUN DEBUG=false SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput
RUN useradd --system --home /app innoportal && mkdir -p /app/media /app/backups \
    && chown innoportal /app/media /app/backups
USER innoportal
EXPOSE 8000
# gunicorn reads ./gunicorn.conf.py (metrics of all workers: prometheus multiprocess mode).
CMD ["gunicorn", "innoportal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
