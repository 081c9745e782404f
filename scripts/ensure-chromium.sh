#!/usr/bin/env bash
# Install Debian's `chromium` and `chromium-driver` when the browser is missing.
# The web chat tests drive this browser with Playwright; Playwright's own
# browser download is never used.
# Usage: scripts/ensure-chromium.sh   (CHROMIUM overrides the browser path)
set -euo pipefail
exec "$(dirname "$0")/ensure-debian-packages.sh" \
    "${CHROMIUM:-/usr/bin/chromium}" chromium chromium-driver
