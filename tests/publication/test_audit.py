"""scripts/audit.py: the CI step around pip-audit, with a fake pip-audit and no network.

vulnerable → fails; clean → passes; service unreachable → says so loudly and passes
(fails under AUDIT_REQUIRE_SERVICE=1); anything not audited → fails; never hangs.
"""

import importlib.util
import json
import pathlib
import shlex
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("audit", ROOT / "scripts" / "audit.py")
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)

PYPROJECT = """
[project]
name = "pianozona"
version = "0.1.0"
dependencies = ["Django==5.2.19", "nh3==0.3.8"]
[project.optional-dependencies]
test = ["pytest==9.2.0"]
"""
CLEAN_REPORT = {
    "dependencies": [
        {"name": "django", "version": "5.2.19", "vulns": []},
        {"name": "nh3", "version": "0.3.8", "vulns": []},
        {"name": "pytest", "version": "9.2.0", "vulns": []},
        {"name": "sqlparse", "version": "0.5.3", "vulns": []},
        {"name": "pianozona", "skip_reason": "distribution marked as editable"},
    ],
    "fixes": [],
}


@pytest.fixture
def run(tmp_path, monkeypatch):
    """Run the wrapper with a fake pip-audit that prints ``report`` (or sleeps, or fails)."""
    monkeypatch.delenv("AUDIT_REQUIRE_SERVICE", raising=False)
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    probe = tmp_path / "probe.json"
    probe.write_text(json.dumps({"info": {}, "vulnerabilities": []}))

    def _run(report=None, *, reachable=True, script=None, timeout=60):
        fake = tmp_path / "fake_pip_audit.py"
        if script is None:
            script = f"import sys\nsys.stdout.write({json.dumps(json.dumps(report))})\n"
        fake.write_text(script)
        probe_url = probe.as_uri() if reachable else (tmp_path / "missing.json").as_uri()
        return audit.main([
            "--pyproject", str(tmp_path / "pyproject.toml"),
            "--pip-audit", f"{shlex.quote(sys.executable)} {shlex.quote(str(fake))}",
            "--probe-url", probe_url, "--probe-timeout", "1", "--timeout", str(timeout),
        ])

    return _run


def test_clean_report_passes(run, capsys):
    assert run(CLEAN_REPORT) == 0
    assert "4 dipendenze verificate, nessuna vulnerabilità nota" in capsys.readouterr().out


def test_a_known_vulnerability_fails(run, capsys):
    report = json.loads(json.dumps(CLEAN_REPORT))
    report["dependencies"][0]["vulns"] = [
        {"id": "PYSEC-2099-1", "fix_versions": ["5.2.20"], "aliases": ["CVE-2099-0001"]}
    ]
    assert run(report) == 1
    err = capsys.readouterr().err
    assert "django 5.2.19: PYSEC-2099-1 (corretto in: 5.2.20)" in err


def test_unreachable_service_warns_loudly_and_does_not_fail(run, capsys):
    assert run(CLEAN_REPORT, reachable=False) == 0
    err = capsys.readouterr().err
    assert "pip-audit: servizio vulnerabilità non raggiungibile — audit NON eseguito" in err


def test_unreachable_service_fails_when_the_deployer_requires_it(run, monkeypatch, capsys):
    monkeypatch.setenv("AUDIT_REQUIRE_SERVICE", "1")
    assert run(CLEAN_REPORT, reachable=False) == 2
    assert "audit NON eseguito" in capsys.readouterr().err


def test_dependencies_skipped_as_not_found_fail(run, capsys):
    # What pip-audit does when the per-release JSON answers 404: "not found", exit 0.
    report = json.loads(json.dumps(CLEAN_REPORT))
    report["dependencies"][1] = {
        "name": "nh3",
        "skip_reason": "Dependency not found on PyPI and could not be audited: nh3 (0.3.8)",
    }
    assert run(report) == 2
    err = capsys.readouterr().err
    assert "dipendenze NON verificate" in err and "nh3" in err


def test_a_pin_missing_from_the_environment_fails(run, capsys):
    report = json.loads(json.dumps(CLEAN_REPORT))
    report["dependencies"][2]["version"] = "8.0.0"
    assert run(report) == 2
    assert "pytest==9.2.0 (installato: 8.0.0)" in capsys.readouterr().err


def test_pip_audit_crash_fails(run, capsys):
    script = "import sys\nsys.stderr.write('Traceback: ConnectionError\\n')\nsys.exit(1)\n"
    assert run(script=script) == 2
    err = capsys.readouterr().err
    assert "codice 1 senza un rapporto" in err and "ConnectionError" in err


def test_pip_audit_that_hangs_is_stopped(run, capsys):
    assert run(script="import time\ntime.sleep(60)\n", timeout=1) == 2
    assert "non ha risposto entro 1.0 s" in capsys.readouterr().err


def test_pins_come_from_pyproject():
    name, pins = audit.pinned_requirements(ROOT / "pyproject.toml")
    assert name == "pianozona"
    assert pins["django"].startswith("5.2.") and pins["pip-audit"] == "2.10.1"
