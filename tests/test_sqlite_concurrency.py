"""The embedded default under normal concurrent use: 20 clients writing at once to a file SQLite database,
through gunicorn and beside a task worker, as `make run` users would. No "database is locked", no 5xx,
nothing lost, nothing twice."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from bench import soak_common as soak  # noqa: E402 - the soak harness's clients and deployment


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_twenty_concurrent_clients_write_to_sqlite_without_a_lock_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'onedoor.sqlite3'}"
    log = tmp_path / "server.log"
    tally = soak.Tally()
    with soak.deployment(url, free_port(), 10, log) as (tokens, _env):
        port = int(_env["ONEDOOR_BIND"].rsplit(":", 1)[1])
        soak.run_clients(port, tokens, 20, 12, tally)
    stored = soak.stored_markers(url)
    figures = {f.name: f for f in soak.figures_for(tally, stored, 12)}
    server_log = log.read_text(errors="replace")
    assert "database is locked" not in server_log
    assert figures["5xx"].value == 0, server_log[-3000:]
    assert not tally.errors, tally.errors
    assert len(tally.accepted) >= 20, "the clients got real work done"
    assert figures["lost"].value == 0 and figures["duplicates"].value == 0
    assert tally.replays > 0 and tally.replay_mismatches == 0


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    import subprocess

    db = tmp_path / "wal.sqlite3"
    code = (
        "import django; django.setup(); from django.db import connection;"
        "c = connection.cursor(); print(c.execute('PRAGMA journal_mode').fetchone()[0],"
        " c.execute('PRAGMA busy_timeout').fetchone()[0])"
    )
    env = {"DATABASE_URL": f"sqlite:///{db}", "DJANGO_SETTINGS_MODULE": "onedoor.settings", "PATH": "/usr/bin"}
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["wal", "20000"]
