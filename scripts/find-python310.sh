#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (Rasa 3.6 does not run on 3.11).
set -euo pipefail
for candidate in python3.10 "$HOME"/.pyenv/versions/3.10*/bin/python3.10 /usr/bin/python3.10; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    command -v "$candidate"
    exit 0
  fi
done
echo "Python 3.10 not found: install it (for example with pyenv) and try again." >&2
exit 1
