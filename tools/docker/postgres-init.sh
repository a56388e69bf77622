#!/bin/sh
# docker-compose: runs the platform's database set-up once, when the Postgres volume is created
# (mounted into /docker-entrypoint-initdb.d). The SQL is the one Kubernetes and local runs use.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v db="${PLATFORM_DB:-platform}" \
  -v user_service_password="$USER_SERVICE_DB_PASSWORD" \
  -v order_service_password="$ORDER_SERVICE_DB_PASSWORD" \
  -v notification_service_password="$NOTIFICATION_SERVICE_DB_PASSWORD" \
  -f /platform/init.sql
