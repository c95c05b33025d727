"""`make run` on a var/ left by an older layout says what to do, never a traceback."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, database):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DEBUG": "true",
        "SECRET_KEY": "test",
        "DJANGO_SETTINGS_MODULE": "readiness.settings",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_migrate_on_a_database_of_the_older_layout_says_what_to_do(tmp_path):
    database = tmp_path / "db.sqlite3"
    assert _manage("migrate", "--noinput", database=database).returncode == 0
    with sqlite3.connect(database) as connection:  # what the old layout had applied
        connection.execute(
            "INSERT INTO django_migrations (app, name, applied) VALUES "
            "('reviews', '0003_workshops_decisions_summaries', '2026-11-01 00:00:00')"
        )
    result = _manage("migrate", "--noinput", database=database)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "made by an older version of readiness" in result.stderr
    assert "reviews.0003_workshops_decisions_summaries" in result.stderr
    assert "rm var/db.sqlite3" in result.stderr


def test_migrate_on_a_current_database_changes_nothing(tmp_path):
    database = tmp_path / "db.sqlite3"
    assert _manage("migrate", "--noinput", database=database).returncode == 0
    again = _manage("migrate", "--noinput", database=database)
    assert again.returncode == 0
    assert "No migrations to apply" in again.stdout
