#!/usr/bin/env bash
# Install Debian's `chromium` and `chromium-driver` when the browser is missing.
# The web chat tests drive this browser with Playwright; Playwright's own
# browser download is never used.
# Usage: scripts/ensure-chromium.sh   (CHROMIUM overrides the browser path)
set -euo pipefail

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

if [[ -x "${CHROMIUM}" ]]; then
    echo "Chromium found: ${CHROMIUM}"
    exit 0
fi

as_root=()
if [[ "$(id -u)" -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        as_root=(sudo)
    else
        echo "Installing Chromium needs root (or sudo)." >&2
        exit 1
    fi
fi

echo "Chromium not found at ${CHROMIUM}; installing the Debian packages..."
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install --yes --no-install-recommends chromium chromium-driver

if [[ ! -x "${CHROMIUM}" ]]; then
    echo "${CHROMIUM} is still missing; set CHROMIUM to the installed browser." >&2
    exit 1
fi
echo "Chromium installed: $("${CHROMIUM}" --version 2>/dev/null || echo "${CHROMIUM}")"
