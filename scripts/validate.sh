#!/usr/bin/env bash
# `rasa data validate` with every warning about the project's data as an error.
# Rasa 3.6's --fail-on-warnings misses some (an unused response, for example),
# so the output is checked for Rasa's own UserWarnings as well.
set -uo pipefail
cd "$(dirname "$0")/.."
output=$(.venv/bin/rasa data validate --fail-on-warnings 2>&1)
status=$?
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
