#!/usr/bin/env bash
# Start the action server and the Rasa server (or `rasa shell` with "shell").
# Called by `make run` and `make shell` after set-up; stops both on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-run}"
rasa_port="${RASA_PORT:-5005}"
action_port="${ACTION_PORT:-5055}"
mkdir -p var/log
# Rasa 3.6 and its libraries print many deprecation warnings; they tell a nurse
# or a patient nothing, so they are hidden here (tests and validation keep them).
export PYTHONWARNINGS="ignore::DeprecationWarning"

SANIC_HOST=127.0.0.1 .venv/bin/python -m rasa_sdk --actions actions --port "$action_port" \
  >var/log/actions.log 2>&1 &
actions_pid=$!
trap 'kill "$actions_pid" 2>/dev/null || true' EXIT INT TERM

for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$action_port/health" >/dev/null 2>&1 && break
  kill -0 "$actions_pid" 2>/dev/null || { echo "Action server did not start; see var/log/actions.log" >&2; exit 1; }
  sleep 0.5
done

if [ "$mode" = "shell" ]; then
  .venv/bin/rasa shell --model models/als-assistent.tar.gz --endpoints endpoints.yml
  exit 0
fi

.venv/bin/rasa run --model models/als-assistent.tar.gz --endpoints endpoints.yml \
  --credentials credentials.yml --interface "${RASA_INTERFACE:-127.0.0.1}" --port "$rasa_port" \
  >var/log/rasa.log 2>&1 &
rasa_pid=$!
trap 'kill "$actions_pid" "$rasa_pid" 2>/dev/null || true' EXIT INT TERM

for _ in $(seq 1 240); do
  curl -fsS "http://127.0.0.1:$rasa_port/" >/dev/null 2>&1 && break
  kill -0 "$rasa_pid" 2>/dev/null || { echo "Rasa did not start; see var/log/rasa.log" >&2; exit 1; }
  sleep 0.5
done

echo "The ALS assistant is running. Stop it with Ctrl-C."
echo "REST: http://localhost:$rasa_port/webhooks/rest/webhook"
echo "Try:  curl -s localhost:$rasa_port/webhooks/rest/webhook -d '{\"sender\":\"a\",\"message\":\"wat is riluzol\"}'"
echo "Logs: var/log/rasa.log, var/log/actions.log"
wait "$rasa_pid"
