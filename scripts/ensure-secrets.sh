#!/usr/bin/env bash
# Fill empty secrets in .env with fresh random values (never overwrites one).
# Usage: scripts/ensure-secrets.sh [.env]
set -euo pipefail
env_file="${1:-.env}"
touch "$env_file"
for name in ACTION_SERVER_TOKEN SESSION_SECRET; do
  if grep -Eq "^${name}=.+" "$env_file"; then
    continue
  fi
  value=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
  if grep -Eq "^${name}=" "$env_file"; then
    sed -i "s|^${name}=.*|${name}=${value}|" "$env_file"
  else
    printf '%s=%s\n' "$name" "$value" >>"$env_file"
  fi
  echo "Generated ${name} in ${env_file}"
done
