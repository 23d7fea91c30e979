#!/usr/bin/env bash
# Run once by the postgres image on an empty data volume (/docker-entrypoint-initdb.d/): the two
# databases of a deployment, each with its own role. Names and passwords come from the env file
# (deploy/production.env); with a managed PostgreSQL, create the same two roles and databases there.
#   tracker store: TRACKER_DB_NAME owned by TRACKER_DB_USER (Rasa's conversations, contact details sealed)
#   app database:  APP_DB_NAME owned by APP_DB_USER (screenings, bookings, handoffs, staff; the
#                  INTAKE_DATABASE_URL of the Rasa servers, action servers and web app)
set -euo pipefail

: "${TRACKER_DB_NAME:?}" "${TRACKER_DB_USER:?}" "${TRACKER_DB_PASSWORD:?}"
: "${APP_DB_NAME:?}" "${APP_DB_USER:?}" "${APP_DB_PASSWORD:?}"

# psql variables are quoted by psql itself (:"name" as an identifier, :'value' as a literal).
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v tracker_db="$TRACKER_DB_NAME" -v tracker_user="$TRACKER_DB_USER" -v tracker_password="$TRACKER_DB_PASSWORD" \
  -v app_db="$APP_DB_NAME" -v app_user="$APP_DB_USER" -v app_password="$APP_DB_PASSWORD" <<'SQL'
CREATE ROLE :"tracker_user" LOGIN PASSWORD :'tracker_password';
CREATE DATABASE :"tracker_db" OWNER :"tracker_user";
REVOKE ALL ON DATABASE :"tracker_db" FROM PUBLIC;
CREATE ROLE :"app_user" LOGIN PASSWORD :'app_password';
CREATE DATABASE :"app_db" OWNER :"app_user";
REVOKE ALL ON DATABASE :"app_db" FROM PUBLIC;
SQL
