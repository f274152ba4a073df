"""pip-audit for CI: fail on known vulnerabilities and on audit errors, never hang.

Usage (what `make audit` runs, with the virtualenv's python):

    .venv/bin/python scripts/audit.py

It audits every distribution installed in the virtualenv (our pins from pyproject.toml and
their dependencies) against the PyPI vulnerability service, then:

- exit 1 when a dependency has a known vulnerability;
- exit 2 when the audit did not cover everything (a dependency skipped, a pin of
  pyproject.toml missing from the environment or at another version, pip-audit failing
  or not answering within --timeout seconds);
- exit 0 when every dependency was audited and none is vulnerable;
- when the vulnerability service cannot be reached (probed first, with a short timeout),
  it prints a loud warning that the audit was NOT run and exits 0, or 2 when
  AUDIT_REQUIRE_SERVICE=1 (for deployers whose CI reaches the service).

Without this wrapper pip-audit would report "No known vulnerabilities found" even when
the service answered nothing: every dependency is then merely skipped as "not found".
"""

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UNREACHABLE = "pip-audit: servizio vulnerabilità non raggiungibile — audit NON eseguito"
PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*==\s*([^\s;]+)")

CLEAN, VULNERABLE, AUDIT_ERROR = 0, 1, 2


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned_requirements(pyproject=ROOT / "pyproject.toml"):
    """``{name: version}`` of every ``name==version`` in pyproject (dependencies and extras)."""
    project = tomllib.loads(Path(pyproject).read_text(encoding="utf-8"))["project"]
    requirements = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    pins = {}
    for requirement in requirements:
        match = PIN.match(requirement)
        if match:
            pins[canonical(match.group(1))] = match.group(3)
    return project["name"], pins


def probe(url, timeout):
    """``None`` when the vulnerability service answers for a known release, else why not."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - fixed URL
            payload = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        return f"{url}: HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return f"{url}: {getattr(exc, 'reason', exc)}"
    if "vulnerabilities" not in payload:
        return f"{url}: la risposta non contiene dati sulle vulnerabilità"
    return None


def run_pip_audit(command, timeout):
    """pip-audit's JSON report, or raise ``AuditError``."""
    try:
        result = subprocess.run(  # noqa: S603 - our own command line
            command, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise AuditError(f"pip-audit non ha risposto entro {timeout} s") from exc
    except OSError as exc:
        raise AuditError(f"pip-audit non avviabile: {exc}") from exc
    try:
        return json.loads(result.stdout)
    except ValueError as exc:
        tail = "\n".join(result.stderr.strip().splitlines()[-5:])
        raise AuditError(
            f"pip-audit è terminato con codice {result.returncode} senza un rapporto:\n{tail}"
        ) from exc


class AuditError(Exception):
    pass


def evaluate(report, *, project, pins):
    """(exit code, lines to print) for one pip-audit JSON report."""
    dependencies = report.get("dependencies", [])
    vulnerable, skipped, audited = [], [], {}
    for dep in dependencies:
        name = canonical(dep.get("name", ""))
        if "skip_reason" in dep:
            if name != canonical(project):  # our own editable package is not on PyPI
                skipped.append(f"{dep.get('name')}: {dep['skip_reason']}")
            continue
        audited[name] = dep.get("version")
        for vuln in dep.get("vulns", []):
            fixes = ", ".join(vuln.get("fix_versions", [])) or "nessuna"
            vulnerable.append(
                f"{dep['name']} {dep.get('version')}: {vuln.get('id')} (corretto in: {fixes})"
            )
    if vulnerable:
        return VULNERABLE, ["pip-audit: vulnerabilità note nelle dipendenze:",
                            *(f"  {line}" for line in vulnerable)]
    missing = [f"{name}=={version} (installato: {audited.get(name, 'assente')})"
               for name, version in sorted(pins.items()) if audited.get(name) != version]
    problems = []
    if skipped:
        problems += ["pip-audit: dipendenze NON verificate:", *(f"  {s}" for s in skipped)]
    if missing:
        problems += ["pip-audit: versioni di pyproject.toml non verificate nell'ambiente "
                     "(eseguire `make install-test`):", *(f"  {m}" for m in missing)]
    if problems or not audited:
        return AUDIT_ERROR, problems or ["pip-audit: nessuna dipendenza verificata"]
    return CLEAN, [f"pip-audit: {len(audited)} dipendenze verificate, "
                   "nessuna vulnerabilità nota"]


def banner(lines):
    rule = "=" * 78
    return "\n".join([rule, *lines, rule])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pip-audit", default=f"{shlex.quote(sys.executable)} -m pip_audit",
                        help="the pip-audit command (a fake one in the tests)")
    parser.add_argument("--pyproject", default=str(ROOT / "pyproject.toml"))
    parser.add_argument("--probe-url", default=None,
                        help="URL answering for a known release (default: PyPI JSON of the "
                        "first pin)")
    parser.add_argument("--probe-timeout", type=float, default=10)
    parser.add_argument("--timeout", type=float, default=600,
                        help="seconds before pip-audit is stopped (CI never hangs)")
    args = parser.parse_args(argv)

    project, pins = pinned_requirements(args.pyproject)
    if not pins:
        print("pip-audit: nessuna versione fissata in pyproject.toml", file=sys.stderr)
        return AUDIT_ERROR
    name, version = next(iter(pins.items()))
    url = args.probe_url or f"https://pypi.org/pypi/{name}/{version}/json"
    why = probe(url, args.probe_timeout)
    if why is not None:
        required = os.environ.get("AUDIT_REQUIRE_SERVICE") == "1"
        print(banner([UNREACHABLE, f"({why})",
                      "Le dipendenze non sono state confrontate con le vulnerabilità note."
                      + (" AUDIT_REQUIRE_SERVICE=1: errore." if required else "")]),
              file=sys.stderr)
        return AUDIT_ERROR if required else CLEAN

    command = shlex.split(args.pip_audit) + [
        "--local", "--skip-editable", "--format", "json", "--progress-spinner", "off",
        "--desc", "off", "--timeout", "15",
    ]
    try:
        report = run_pip_audit(command, args.timeout)
    except AuditError as exc:
        print(f"pip-audit: audit non riuscito — {exc}", file=sys.stderr)
        return AUDIT_ERROR
    code, lines = evaluate(report, project=project, pins=pins)
    print("\n".join(lines), file=sys.stderr if code else sys.stdout)
    return code


if __name__ == "__main__":
    sys.exit(main())
