#!/usr/bin/env bash
# Audit requirements.lock with pip-audit; accepted vulnerabilities are listed,
# with the reason, in security/pip-audit-exceptions.txt. Called by `make audit`.
#
# Exit status:
#   0  audited against the vulnerability database; nothing unaccepted
#   1  unaccepted vulnerabilities, or an exception that no longer matches the lock
#   2  NOT audited: the vulnerability database could not be reached, a package
#      could not be looked up, or pip-audit could not be installed. Never a pass.
#      Only with PIP_AUDIT_UNREACHABLE=warn, set on purpose where no database
#      can be reached, does this end in 0, after the same loud banner (stale
#      exceptions still fail).
#
# pip-audit lives in its own virtualenv (var/tools/pip-audit), pinned by
# security/pip-audit-requirements.txt: it needs packaging>=23 and Rasa 3.6.21
# needs packaging<21, so it cannot be installed into .venv.
# PIP_AUDIT_SERVICE=osv|pypi chooses the database (default osv).
set -uo pipefail
cd "$(dirname "$0")/.."

lock="${AUDIT_LOCK:-requirements.lock}"
exceptions="security/pip-audit-exceptions.txt"
tool_requirements="security/pip-audit-requirements.txt"
tool_venv="${AUDIT_TOOL_VENV:-var/tools/pip-audit}"
service="${PIP_AUDIT_SERVICE:-osv}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

stale=0

not_audited() {
  {
    echo
    echo "=================================================================="
    echo "pip-audit: NOT AUDITED. This is a failure, not a pass."
    echo "$1"
    if [ "${PIP_AUDIT_UNREACHABLE:-}" = warn ]; then
      echo "PIP_AUDIT_UNREACHABLE=warn: continuing WITHOUT a dependency audit."
    fi
    echo "=================================================================="
  } >&2
  if [ "${PIP_AUDIT_UNREACHABLE:-}" = warn ]; then
    exit "$stale"
  fi
  exit 2
}

# ---- the tool ---------------------------------------------------------------
stamp="$tool_venv/.installed"
if [ ! -x "$tool_venv/bin/pip-audit" ] || [ "$tool_requirements" -nt "$stamp" ]; then
  python="$(scripts/find-python310.sh 2>/dev/null || command -v python3)"
  "$python" -m venv "$tool_venv" >"$work/install.log" 2>&1 &&
    "$tool_venv/bin/python" -m pip install --quiet --no-deps \
      -r "$tool_requirements" >>"$work/install.log" 2>&1 &&
    touch "$stamp" ||
    { cat "$work/install.log" >&2; echo "pip-audit: NOT AUDITED: could not install it into $tool_venv." >&2; exit 2; }
fi

# ---- the accepted vulnerabilities --------------------------------------------
# name==version, the name normalised as pip does (lower case, runs of -_. as -).
pin() { awk -F'==' 'NF == 2 { n = tolower($1); gsub(/[-_.]+/, "-", n); gsub(/[[:space:]]/, "", n);
  v = $2; gsub(/[[:space:]]/, "", v); print n "==" v }'; }
sed -E 's/^[[:space:]]*#.*$//' "$exceptions" | awk 'NF' >"$work/entries"
sed -E 's/#.*$//' "$lock" | pin >"$work/pins"

ignore=()
while read -r id package version _note; do
  if ! [[ "$id" =~ ^(CVE-[0-9]{4}-[0-9]+|GHSA(-[0-9a-z]{4}){3}|PYSEC-[0-9]{4}-[0-9]+)$ ]]; then
    echo "pip-audit: '$id' in $exceptions is not a CVE, GHSA or PYSEC id." >&2
    stale=1
    continue
  fi
  if ! printf '%s==%s\n' "$package" "$version" | pin | grep -qxFf - "$work/pins"; then
    echo "pip-audit: exception $id is for $package $version, which is not in" \
      "$lock any more: review it (remove it if fixed)." >&2
    stale=1
  fi
  ignore+=(--ignore-vuln "$id")
done <"$work/entries"

# ---- the audit -----------------------------------------------------------------
echo "pip-audit: $(wc -l <"$work/pins") pinned packages from $lock against" \
  "the '$service' database, $(wc -l <"$work/entries") accepted ids."
"$tool_venv/bin/pip-audit" --requirement "$lock" --no-deps --disable-pip --strict \
  --vulnerability-service "$service" --timeout 30 --progress-spinner off \
  --desc off --format json --output "$work/report.json" "${ignore[@]}" \
  2>"$work/stderr.log"
status=$?

if [ ! -s "$work/report.json" ]; then
  grep -v 'encouraged to fully hash\|pip-compile' "$work/stderr.log" | tail -n 5 >&2
  not_audited "The '$service' vulnerability database could not be reached, or a
package could not be looked up in it: $lock was not checked.
Run the audit where the database is reachable (or try PIP_AUDIT_SERVICE=pypi)."
fi

"$tool_venv/bin/python" - "$work/report.json" <<'EOF'
"""Print unaccepted vulnerabilities as lines ready for the exceptions file."""
import json
import sys

report = json.load(open(sys.argv[1], encoding="utf-8"))
found = [
    (dep["name"], dep["version"], vuln)
    for dep in report.get("dependencies", [])
    for vuln in dep.get("vulns", [])
]
skipped = [dep for dep in report.get("dependencies", []) if "skip_reason" in dep]
print(
    f"pip-audit: {len(report.get('dependencies', [])) - len(skipped)} packages "
    f"audited, {len(found)} unaccepted vulnerabilities."
)
if found:
    print("Fix them, or review and add them to security/pip-audit-exceptions.txt:")
for name, version, vuln in found:
    aliases = ",".join(sorted(vuln.get("aliases", []))) or "-"
    fixed = ",".join(vuln.get("fix_versions", [])) or "none"
    print(f"{vuln['id']} {name} {version} aliases {aliases}; fixed {fixed}; WHY:")
EOF

if [ "$status" -ne 0 ] || [ "$stale" -ne 0 ]; then
  exit 1
fi
echo "pip-audit: no unaccepted vulnerabilities."
