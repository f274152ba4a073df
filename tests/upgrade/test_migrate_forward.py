"""A database seeded before the move to floors (commit 4b37ff5, 2026-12) migrates forward
with every row and every figure as it was.

The archive holds the SQLite database that `migrate` + `load_seeds` made with the code of
that commit, plus one report job (the model that moved from the project package to
reports/). The test migrates a copy with today's code in a subprocess, as an upgrade
would, and compares every table's rows and every money column's sums before and after.
It runs on SQLite whatever the test database is: the upgrade is a migration question, and
the tables that moved keep their names on every database (``db_table``).
"""

import gzip
import os
import shutil
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARCHIVE = Path(__file__).with_name("seeded_before_floors.sqlite3.gz")

# Money columns compared to the cent, per table.
MONEY = {
    "budget_budgetline": ["preventivo", "consuntivo"],
    "budget_fundingallocation": ["amount"],
    "budget_surplus": ["amount"],
    "budget_variation": ["previous_amount", "new_amount"],
    "budget_agencyyearfigure": ["amount"],
    "governance_municipalspending": ["amount"],
}


def snapshot(path):
    """Row count of every table of the project, and the sums of its money columns."""
    connection = sqlite3.connect(path)
    try:
        tables = [
            name for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND name != 'django_migrations'"
            )
        ]
        figures = {}
        for table in tables:
            # Names read from sqlite_master, not from input.
            count = f'SELECT COUNT(*) FROM "{table}"'  # noqa: S608
            figures[table] = connection.execute(count).fetchone()[0]
            columns = {row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')}
            for column in MONEY.get(table, []):
                if column in columns:
                    query = f'SELECT "{column}" FROM "{table}"'  # noqa: S608
                    rows = connection.execute(query).fetchall()
                    figures[f"{table}.{column}"] = sum(
                        (Decimal(str(value)) for (value,) in rows if value is not None),
                        Decimal("0"),
                    )
        applied = {
            app for (app,) in connection.execute("SELECT DISTINCT app FROM django_migrations")
        }
        return figures, applied
    finally:
        connection.close()


def manage(database, *args):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "pianozona.settings",
    }
    env.pop("CELERY_BROKER_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=300,
    )


@pytest.fixture
def old_database(tmp_path):
    database = tmp_path / "before.sqlite3"
    with gzip.open(ARCHIVE, "rb") as source, open(database, "wb") as target:
        shutil.copyfileobj(source, target)
    return database


def test_a_database_seeded_before_the_move_migrates_with_every_figure_unchanged(old_database):
    before, applied_before = snapshot(old_database)
    # The archive is what it claims: seeded, with the report job in the old app's table.
    assert "reports" not in applied_before
    assert before["pianozona_reportjob"] == 1
    assert before["budget_budgetline"] > 100
    assert before["budget_budgetline.preventivo"] > 0

    result = manage(old_database, "migrate", "--noinput")
    assert result.returncode == 0, result.stdout + result.stderr

    after, applied_after = snapshot(old_database)
    assert "reports" in applied_after
    # New tables may appear, and new models add their content types and permissions;
    # every other table that was there keeps every row and every figure.
    grows = {"django_content_type", "auth_permission"}
    assert all(after[key] >= before[key] for key in grows)
    assert {key: after.get(key) for key in before if key not in grows} == {
        key: value for key, value in before.items() if key not in grows
    }

    # The moved model reads its old rows; the seed figures come out as the documents print.
    probe = manage(old_database, "shell", "-c", (
        "from reports.models import ReportJob; from objectives.models import OperatingPlan;"
        "from budget.selectors import plan_totals;"
        "print(ReportJob.objects.count());"
        "plan = OperatingPlan.objects.get(year=2015);"
        "print(plan_totals(plan=plan)['preventivo'])"
    ))
    assert probe.returncode == 0, probe.stderr
    lines = probe.stdout.split()[-2:]  # after the shell's own "N objects imported" line
    assert lines[0] == "1"
    assert Decimal(lines[1]) == Decimal("6836696.91")
