#!/usr/bin/env bash
# `rasa data validate` with every warning about the project's data as an error.
# Rasa 3.6's --fail-on-warnings misses some (an unused response, for example),
# so the output is checked for Rasa's own UserWarnings as well.
#
# Responses that only actions send by name (action_out_of_scope and
# action_clarify send utter_out_of_scope) are not in any rule; Rasa's "not used
# in any story or rule" warning is expected for exactly these, no others.
set -uo pipefail
cd "$(dirname "$0")/.."
SENT_BY_ACTIONS="utter_out_of_scope"
output=$(.venv/bin/rasa data validate 2>&1)
status=$?
for response in $SENT_BY_ACTIONS; do
  output=$(grep -v "The utterance '$response' is not used in any story or rule" <<<"$output")
done
warnings=$(grep -E "rasa/.*UserWarning" <<<"$output" || true)
if [ -n "$warnings" ]; then
  echo "$warnings"
  echo "rasa data validate: warnings about the project's data (see above)" >&2
  exit 1
fi
if [ "$status" -ne 0 ]; then
  echo "$output" | tail -30
  exit "$status"
fi
echo "rasa data validate: no errors, no warnings"
