"""The task path end to end, in real processes on a fresh SQLite data folder: a task enqueued by one process
is run by a worker process. Redis/RQ when TEST_REDIS_URL names a real Redis server (scripts/test starts one);
the database backend always."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


def servicedesk(data_dir: Path, *arguments: str, redis_url: str = "") -> str:
    env = {
        key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL", "TASKS_IMMEDIATE"}
    }
    env.update(
        {"SERVICEDESK_DATA_DIR": str(data_dir), "SECRET_KEY": "test", "DJANGO_SETTINGS_MODULE": "servicedesk.settings"}
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    done = subprocess.run(
        [sys.executable, "-m", "servicedesk", *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def enqueue_heartbeat(data_dir: Path, redis_url: str = "") -> None:
    code = "from servicedesk.core.tasks import worker_heartbeat; worker_heartbeat.enqueue()"
    servicedesk(data_dir, "shell", "-c", code, redis_url=redis_url)


def pending(data_dir: Path, redis_url: str = "") -> int:
    code = "from servicedesk.core.views import pending_task_count; print(pending_task_count())"
    return int(servicedesk(data_dir, "shell", "-c", code, redis_url=redis_url).split()[-1])


def worker_heartbeats(data_dir: Path) -> list[tuple[str]]:
    with sqlite3.connect(data_dir / "servicedesk.sqlite3") as database:
        return database.execute("SELECT host FROM core_heartbeat WHERE component = 'worker'").fetchall()


def test_the_database_worker_runs_an_enqueued_task(tmp_path):
    servicedesk(tmp_path, "migrate", "--verbosity=0")
    enqueue_heartbeat(tmp_path)
    assert worker_heartbeats(tmp_path) == []
    assert pending(tmp_path) == 1
    servicedesk(tmp_path, "db_worker", "--batch", "--no-startup-delay", "--no-reload")
    assert len(worker_heartbeats(tmp_path)) == 1
    assert pending(tmp_path) == 0


@pytest.mark.redis
@pytest.mark.skipif(not TEST_REDIS_URL, reason="TEST_REDIS_URL is not set (scripts/test starts a Redis server)")
def test_the_rq_worker_runs_an_enqueued_task(tmp_path):
    servicedesk(tmp_path, "migrate", "--verbosity=0")
    enqueue_heartbeat(tmp_path, TEST_REDIS_URL)
    assert worker_heartbeats(tmp_path) == []
    assert pending(tmp_path, TEST_REDIS_URL) >= 1
    servicedesk(tmp_path, "rqworker", "--burst", "default", redis_url=TEST_REDIS_URL)
    assert len(worker_heartbeats(tmp_path)) == 1
    assert pending(tmp_path, TEST_REDIS_URL) == 0
