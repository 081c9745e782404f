#!/usr/bin/env bash
# Start the action server and the Rasa server (or `rasa shell` with "shell").
# Called by `make run` and `make shell` after set-up; stops both on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-run}"
rasa_port="${RASA_PORT:-5005}"
action_port="${ACTION_PORT:-5055}"
model_port="${MODEL_SERVER_PORT:-5056}"
mkdir -p var/log
# Rasa 3.6 and its libraries print many deprecation warnings; they tell a nurse
# or a patient nothing, so they are hidden here (tests and validation keep them).
export PYTHONWARNINGS="ignore::DeprecationWarning"

.venv/bin/python -m components.action_server --port "$action_port" \
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

# The live model comes from the project's model server: `make train` publishes
# a checked model to var/live/ and Rasa swaps it in without a restart.
.venv/bin/python -m bot.model_server --port "$model_port" >var/log/model-server.log 2>&1 &
model_server_pid=$!
trap 'kill "$actions_pid" "$model_server_pid" 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 50); do
  (echo >"/dev/tcp/127.0.0.1/$model_port") 2>/dev/null && break
  sleep 0.2
done
mkdir -p var/run
{
  cat endpoints.yml
  printf '\nmodels:\n  url: http://127.0.0.1:%s/model.tar.gz\n  wait_time_between_pulls: %s\n' \
    "$model_port" "${MODEL_PULL_SECONDS:-10}"
} >var/run/endpoints.yml

.venv/bin/rasa run --endpoints var/run/endpoints.yml \
  --credentials credentials.yml --interface "${RASA_INTERFACE:-127.0.0.1}" --port "$rasa_port" \
  >var/log/rasa.log 2>&1 &
rasa_pid=$!
trap 'kill "$actions_pid" "$model_server_pid" "$rasa_pid" 2>/dev/null || true' EXIT INT TERM

for _ in $(seq 1 240); do
  curl -fsS "http://127.0.0.1:$rasa_port/" >/dev/null 2>&1 && break
  kill -0 "$rasa_pid" 2>/dev/null || { echo "Rasa did not start; see var/log/rasa.log" >&2; exit 1; }
  sleep 0.5
done

echo "The ALS assistant is running. Stop it with Ctrl-C."
echo "Chat: http://localhost:$rasa_port/chat"
echo "REST: http://localhost:$rasa_port/webhooks/rest/webhook"
echo "Try:  curl -s localhost:$rasa_port/webhooks/rest/webhook -d '{\"sender\":\"a\",\"message\":\"wat is riluzol\"}'"
echo "Logs: var/log/rasa.log, var/log/actions.log, var/log/model-server.log"
echo "New content: run \`make train\` in another terminal; the new model goes live by itself."
wait "$rasa_pid"
