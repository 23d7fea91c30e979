#!/usr/bin/env bash
# Starts the assistant on embedded defaults: Rasa (5005), action server (5055), web app (8080).
# Waits until all three answer, prints the URLs, and stops all three cleanly on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
export SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export RASA_TELEMETRY_ENABLED=false  # no usage or crash reports leave the machine
set -a; . config/server-threads.env; set +a  # one math thread per process (the file says why)

RASA_PORT=${RASA_PORT:-5005}
ACTIONS_PORT=${ACTIONS_PORT:-5055}
WEB_PORT=${WEB_PORT:-8080}
RASA_MODEL=${RASA_MODEL:-models/intake.tar.gz}  # what setup trained
mkdir -p var/logs
chmod 700 var

# The HTTP API secret: from the environment, else generated once and kept in var/. It signs the
# console's short-lived tokens (a header, never in a URL: intake/handoff/rasa_auth.py).
if [ -z "${RASA_TOKEN:-}" ]; then
  if [ ! -s var/rasa_token ]; then
    (umask 077; .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))' > var/rasa_token)
    echo "Generated the Rasa HTTP API secret (kept in var/rasa_token)."
  fi
  RASA_TOKEN=$(cat var/rasa_token)
fi

pids=()
stop_all() {
  trap - INT TERM EXIT
  echo; echo "Stopping..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "Stopped."
}
trap stop_all EXIT
trap 'exit 0' INT TERM   # Ctrl-C is the normal way to stop: exit cleanly, the EXIT trap stops all

.venv/bin/rasa run actions --actions actions --port "$ACTIONS_PORT" > var/logs/actions.log 2>&1 &
pids+=($!)
.venv/bin/rasa run --model "$RASA_MODEL" --port "$RASA_PORT" --enable-api --jwt-secret="$RASA_TOKEN" --jwt-method=HS256 \
  --cors "*" --credentials credentials.yml --endpoints endpoints.yml > var/logs/rasa.log 2>&1 &
pids+=($!)
# The web app's front-desk console talks to Rasa's HTTP API with the token. It is served over
# plain http on localhost here, so its session cookie cannot be marked Secure (behind TLS in
# production, leave INTAKE_COOKIE_SECURE unset: config/clinic.yml's secure_cookie holds).
RASA_TOKEN="$RASA_TOKEN" INTAKE_COOKIE_SECURE="${INTAKE_COOKIE_SECURE:-0}" \
INTAKE_RASA_URL="http://localhost:$RASA_PORT" INTAKE_ACTIONS_URL="http://localhost:$ACTIONS_PORT" \
  .venv/bin/python -m intake.webapp.app --port "$WEB_PORT" > var/logs/web.log 2>&1 &
pids+=($!)

wait_for() {  # name url
  local deadline=$((SECONDS + 180))
  until curl -fs -o /dev/null "$2"; do
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null || { echo "ERROR: a process stopped while starting; see var/logs/" >&2; exit 1; }
    done
    [ $SECONDS -lt $deadline ] || { echo "ERROR: $1 did not answer at $2; see var/logs/" >&2; exit 1; }
    sleep 1
  done
}
echo "Starting the Rasa server, the action server and the web app..."
started=$SECONDS
wait_for "action server" "http://localhost:$ACTIONS_PORT/health"
wait_for "web app" "http://localhost:$WEB_PORT/health"
wait_for "Rasa server" "http://localhost:$RASA_PORT/"  # answers once loading the model has ended
# Rasa serves even when its model failed to load (e.g. the safety guard found no risk model); it
# would then ignore every message. The REST channel's health check says 503 in that case.
if [ "$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' "http://localhost:$RASA_PORT/webhooks/rest/")" != 200 ]; then
  echo "ERROR: the Rasa server started without its model; see var/logs/rasa.log (run make setup)" >&2
  exit 1
fi

cat <<TXT
The assistant is running (all three answered after $((SECONDS - started)) s):
  Rasa server    http://localhost:$RASA_PORT   (REST: /webhooks/rest/webhook, socket.io, HTTP API with a signed header)
  Action server  http://localhost:$ACTIONS_PORT/health
  Web app        http://localhost:$WEB_PORT/
  Front desk     http://localhost:$WEB_PORT/frontdesk/   (staff accounts: .venv/bin/python -m intake.frontdesk.staff add USERNAME --name "Display Name")
Try: curl -s localhost:$RASA_PORT/webhooks/rest/webhook -d '{"sender":"me","message":"hello"}'
Logs in var/logs/. Press Ctrl-C to stop.
TXT
wait -n "${pids[@]}" || true
echo "A process stopped unexpectedly; see var/logs/." >&2
exit 1
