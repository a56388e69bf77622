-- Creates the platform database, one login role per service and one schema per service, each
-- schema owned by its role and closed to everyone else. Idempotent: safe to run on every start.
-- The one copy: used by the local runner (libs/testing), docker-compose (tools/docker/postgres-init.sh)
-- and the platform-db-init Job in Kubernetes. Run with psql as a superuser, passing:
--   -v db=platform -v user_service_password=… -v order_service_password=… -v notification_service_password=…
\set ON_ERROR_STOP on

SELECT format('CREATE DATABASE %I', :'db')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec

SELECT format('CREATE ROLE %I LOGIN', role)
FROM unnest(ARRAY['user_service', 'order_service', 'notification_service']) AS role
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role) \gexec

ALTER ROLE user_service WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'user_service_password';
ALTER ROLE order_service WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'order_service_password';
ALTER ROLE notification_service WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'notification_service_password';

-- Only the service roles (and superusers) may connect; nobody gets the public schema.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'db') \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO user_service, order_service, notification_service', :'db') \gexec

\connect :db

REVOKE ALL ON SCHEMA public FROM PUBLIC;

CREATE SCHEMA IF NOT EXISTS users AUTHORIZATION user_service;
CREATE SCHEMA IF NOT EXISTS orders AUTHORIZATION order_service;
CREATE SCHEMA IF NOT EXISTS notifications AUTHORIZATION notification_service;

-- Schemas keep their owner even if they existed before.
ALTER SCHEMA users OWNER TO user_service;
ALTER SCHEMA orders OWNER TO order_service;
ALTER SCHEMA notifications OWNER TO notification_service;
REVOKE ALL ON SCHEMA users, orders, notifications FROM PUBLIC;

-- Unqualified names resolve in the role's own schema.
SELECT format('ALTER ROLE user_service IN DATABASE %I SET search_path = users', :'db') \gexec
SELECT format('ALTER ROLE order_service IN DATABASE %I SET search_path = orders', :'db') \gexec
SELECT format('ALTER ROLE notification_service IN DATABASE %I SET search_path = notifications', :'db') \gexec
