#!/usr/bin/env bash
# Install the Debian package `postgresql` when its server binaries are missing.
# The test suite starts its own throwaway server from these binaries.
# Usage: scripts/ensure-postgres.sh   (PG_BIN overrides the binary folder)
set -euo pipefail

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"

if [[ -x "${PG_BIN}/pg_ctl" ]]; then
    echo "PostgreSQL found: ${PG_BIN}/pg_ctl"
    exit 0
fi

as_root=()
if [[ "$(id -u)" -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        as_root=(sudo)
    else
        echo "Installing PostgreSQL needs root (or sudo)." >&2
        exit 1
    fi
fi

echo "PostgreSQL not found in ${PG_BIN}; installing the Debian package..."
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install --yes --no-install-recommends postgresql

if [[ ! -x "${PG_BIN}/pg_ctl" ]]; then
    echo "pg_ctl is still missing in ${PG_BIN}; set PG_BIN to the installed version." >&2
    exit 1
fi
echo "PostgreSQL installed: ${PG_BIN}/pg_ctl"
