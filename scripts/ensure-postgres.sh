#!/usr/bin/env bash
# Install the Debian package `postgresql` when its server binaries are missing.
# The test suite starts its own throwaway server from these binaries.
# Usage: scripts/ensure-postgres.sh   (PG_BIN overrides the binary folder)
set -euo pipefail
exec "$(dirname "$0")/ensure-debian-packages.sh" \
    "${PG_BIN:-/usr/lib/postgresql/15/bin}/pg_ctl" postgresql
