#!/usr/bin/env bash
# Install the Debian servers `make cluster` and its tests run on loopback:
# PostgreSQL (tracker store), Redis (lock store) and nginx (sticky routing).
set -euo pipefail
here="$(dirname "$0")"
"${here}/ensure-postgres.sh"
"${here}/ensure-debian-packages.sh" /usr/bin/redis-server redis-server
"${here}/ensure-debian-packages.sh" /usr/sbin/nginx nginx
