"""The dependency audit: accepted ids are valid and current; failures are loud.

``scripts/audit.sh`` runs here against a stand-in pip-audit, so its decisions
(pass, unaccepted vulnerability, stale exception, database unreachable) are
tested without the vulnerability database, which this machine cannot reach.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "scripts" / "audit.sh"
EXCEPTIONS = PROJECT_ROOT / "security" / "pip-audit-exceptions.txt"
LOCK = PROJECT_ROOT / "requirements.lock"
ID = re.compile(r"CVE-\d{4}-\d+|GHSA(-[0-9a-z]{4}){3}|PYSEC-\d{4}-\d+")
STUB = """#!/usr/bin/env bash
printf '%s\\n' "$@" >"$STUB_ARGS"
while [ $# -gt 0 ]; do
  if [ "$1" = --output ]; then output="$2"; fi
  shift
done
if [ -n "${STUB_REPORT:-}" ]; then printf '%s' "$STUB_REPORT" >"$output"; fi
echo "stub: could not reach the database" >&2
exit "$STUB_STATUS"
"""


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(lock: Path) -> set[str]:
    lines = lock.read_text(encoding="utf-8").splitlines()
    return {
        _normalise(line.split("==")[0]) + "==" + line.split("==")[1].strip()
        for line in lines
        if "==" in line and not line.startswith("#")
    }


def _entries() -> list[list[str]]:
    lines = EXCEPTIONS.read_text(encoding="utf-8").splitlines()
    return [line.split(maxsplit=3) for line in lines if line and line[0] != "#"]


def test_every_exception_is_an_id_for_a_pinned_package_with_a_reason() -> None:
    pins = _pins(LOCK)
    entries = _entries()
    assert entries
    for entry in entries:
        assert len(entry) == 4, entry
        vuln_id, package, version, note = entry
        assert ID.fullmatch(vuln_id), vuln_id
        assert f"{_normalise(package)}=={version}" in pins, (
            f"{vuln_id}: {package} {version} is not in requirements.lock any more"
        )
        assert len(note) > 30, f"{vuln_id}: say why it is accepted"
    ids = [entry[0] for entry in entries]
    assert len(ids) == len(set(ids))


@pytest.fixture
def stub(tmp_path: Path) -> Path:
    """A stand-in for the pip-audit virtualenv."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    tool = venv / "bin" / "pip-audit"
    tool.write_text(STUB, encoding="utf-8")
    tool.chmod(0o755)
    (venv / "bin" / "python").symlink_to(sys.executable)
    (venv / ".installed").touch()
    return venv


def _audit(
    stub: Path,
    status: int,
    report: Mapping[str, object] | None,
    lock: Path = LOCK,
    **extra: str,
) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if k != "PIP_AUDIT_UNREACHABLE"},
        **extra,
        "AUDIT_TOOL_VENV": str(stub),
        "AUDIT_LOCK": str(lock),
        "STUB_ARGS": str(stub / "args"),
        "STUB_STATUS": str(status),
        "STUB_REPORT": json.dumps(report) if report is not None else "",
    }
    return subprocess.run(
        ["bash", str(SCRIPT)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_clean_audit_passes_with_every_accepted_id_ignored(stub: Path) -> None:
    result = _audit(stub, 0, {"dependencies": [{"name": "rasa", "version": "3.6.21"}]})

    assert result.returncode == 0, result.stderr
    assert "no unaccepted vulnerabilities" in result.stdout
    args = (stub / "args").read_text().split("\n")
    ignored = {args[i + 1] for i, arg in enumerate(args) if arg == "--ignore-vuln"}
    assert ignored == {entry[0] for entry in _entries()}
    assert "--strict" in args and "--disable-pip" in args


def test_an_unaccepted_vulnerability_fails_and_is_printed(stub: Path) -> None:
    vuln = {"id": "GHSA-abcd-efgh-ijkl", "aliases": ["CVE-2099-1"], "fix_versions": []}
    report = {
        "dependencies": [{"name": "sanic", "version": "21.12.2", "vulns": [vuln]}]
    }

    result = _audit(stub, 1, report)

    assert result.returncode == 1
    assert "GHSA-abcd-efgh-ijkl sanic 21.12.2 aliases CVE-2099-1" in result.stdout


def test_an_unreachable_database_is_a_loud_failure(stub: Path) -> None:
    result = _audit(stub, 1, None)

    assert result.returncode == 2
    assert "NOT AUDITED" in result.stderr
    assert "no unaccepted" not in result.stdout


def test_an_exception_for_an_upgraded_package_fails(stub: Path, tmp_path: Path) -> None:
    lock = tmp_path / "requirements.lock"
    lock.write_text(
        LOCK.read_text(encoding="utf-8").replace("aiohttp==3.9.5", "aiohttp==3.14.3"),
        encoding="utf-8",
    )

    result = _audit(stub, 0, {"dependencies": []}, lock=lock)

    assert result.returncode == 1
    assert "aiohttp 3.9.5, which is not in" in result.stderr


def test_an_unreachable_database_passes_only_when_allowed_on_purpose(
    stub: Path, tmp_path: Path
) -> None:
    allowed = _audit(stub, 1, None, PIP_AUDIT_UNREACHABLE="warn")
    assert allowed.returncode == 0
    assert "NOT AUDITED" in allowed.stderr and "WITHOUT" in allowed.stderr

    lock = tmp_path / "requirements.lock"
    lock.write_text(
        LOCK.read_text(encoding="utf-8").replace("aiohttp==3.9.5", "aiohttp==3.14.3"),
        encoding="utf-8",
    )
    stale = _audit(stub, 1, None, lock=lock, PIP_AUDIT_UNREACHABLE="warn")
    assert stale.returncode == 1
