#!/usr/bin/env bash
# Installs and starts what `make test` needs on this machine, idempotently: PostgreSQL 15
# (with the project's role), Redis, and Chromium for the browser test. Safe to run again.
set -euo pipefail

DB_USER=openepaccs
DB_PASSWORD=openepaccs

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v pg_ctlcluster >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  echo "services: installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# PostgreSQL: the cluster the machine ships with, started if down.
cluster_version=$(pg_lsclusters --no-header 2>/dev/null | awk 'NR==1 {print $1}')
cluster_name=$(pg_lsclusters --no-header 2>/dev/null | awk 'NR==1 {print $2}')
if [ -z "$cluster_version" ]; then
  version=$(ls /usr/lib/postgresql | sort -n | tail -1)
  as_root pg_createcluster "$version" main >/dev/null
  cluster_version=$version
  cluster_name=main
fi
if ! pg_lsclusters --no-header | awk -v v="$cluster_version" -v n="$cluster_name" '$1==v && $2==n {print $4}' | grep -q online; then
  echo "services: starting PostgreSQL $cluster_version/$cluster_name"
  as_root pg_ctlcluster --skip-systemctl-redirect "$cluster_version" "$cluster_name" start
fi
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 1
done
pg_isready -q -h 127.0.0.1 -p 5432 || { echo "services: PostgreSQL did not start" >&2; exit 1; }

role_exists=$(as_root runuser -u postgres -- psql -tAc "SELECT 1 FROM pg_roles WHERE rolname='${DB_USER}'")
if [ "$role_exists" != "1" ]; then
  echo "services: creating PostgreSQL role ${DB_USER}"
  as_root runuser -u postgres -- psql -q -c "CREATE ROLE ${DB_USER} LOGIN CREATEDB PASSWORD '${DB_PASSWORD}'"
fi
db_exists=$(as_root runuser -u postgres -- psql -tAc "SELECT 1 FROM pg_database WHERE datname='${DB_USER}'")
if [ "$db_exists" != "1" ]; then
  as_root runuser -u postgres -- psql -q -c "CREATE DATABASE ${DB_USER} OWNER ${DB_USER}"
fi

# Redis: on loopback only, nothing written to disk.
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "services: starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 1 20); do
    redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break
    sleep 0.5
  done
fi
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "services: Redis did not start" >&2; exit 1; }
echo "services: PostgreSQL, Redis and Chromium are ready"
