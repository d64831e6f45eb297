# The web app under gunicorn. Front-end packages come from npm at build time; nothing is
# loaded from a CDN at run time.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
RUN useradd --create-home --uid 1000 app \
    && apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY config ./config
COPY organisations ./organisations
COPY patients ./patients
COPY audit ./audit
COPY frontend ./frontend
COPY consent ./consent
COPY careplans ./careplans
COPY portal ./portal
COPY reminders ./reminders
RUN pip install --no-cache-dir .
COPY . .
COPY --from=assets /app/node_modules ./node_modules
COPY --from=assets /usr/local/bin/node /usr/local/bin/node
RUN bash scripts/vendor_static.sh \
    && DEBUG=false SECRET_KEY=build-time-only-not-a-secret-000000000000 AUDIT_CHAIN_KEY=build-time-only ALLOWED_HOSTS=build \
       STATIC_MANIFEST=true python manage.py collectstatic --noinput -v0 \
    && rm -rf node_modules /usr/local/bin/node
USER app
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
