#!/usr/bin/env bash
# Install Debian packages when a file they provide is missing.
# Usage: scripts/ensure-debian-packages.sh <file that must exist> <package>...
# Used for the servers and the browser the tests start themselves.
set -euo pipefail

needed="$1"
shift
if [[ -x "${needed}" ]]; then
    echo "Found: ${needed}"
    exit 0
fi

as_root=()
if [[ "$(id -u)" -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        as_root=(sudo)
    else
        echo "Installing $* needs root (or sudo)." >&2
        exit 1
    fi
fi

echo "${needed} is missing; installing the Debian packages: $*"
# Debian starts a freshly installed server (nginx on port 80 of every address,
# redis-server on 6379). The project only runs its own servers on loopback, so
# a policy-rc.d that refuses service starts is in place during the install.
policy=/usr/sbin/policy-rc.d
added_policy=false
if [[ ! -e "${policy}" ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee "${policy}" >/dev/null
    "${as_root[@]}" chmod +x "${policy}"
    added_policy=true
fi
remove_policy() { if "${added_policy}"; then "${as_root[@]}" rm -f "${policy}"; fi; }
trap remove_policy EXIT
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install --yes --no-install-recommends "$@"

if [[ ! -x "${needed}" ]]; then
    echo "${needed} is still missing after installing $*." >&2
    exit 1
fi
echo "Installed: ${needed}"
