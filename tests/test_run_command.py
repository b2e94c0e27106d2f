"""`servicedesk run` as a real process: it becomes healthy, serves pages, and leaves no process behind."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    """One data folder for the module: the second start finds the database migrated."""
    return tmp_path_factory.mktemp("run-data")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def descendants(root: int) -> set[int]:
    """Every process below `root`, from /proc (children of children included)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class Running:
    def __init__(self, data_dir: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "REDIS_URL", "TASKS_IMMEDIATE"}
        }
        env.update({"SERVICEDESK_DATA_DIR": str(data_dir), "SECRET_KEY": "test"})
        self.process = subprocess.Popen(
            [sys.executable, "-m", "servicedesk", "run", f"--port={self.port}", "--workers=1"],
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # so the test can clean up the whole tree if an assertion fails
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_healthy(self, seconds: float = 25) -> dict:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log()
            try:
                status, body = get(f"{self.url}/healthz")
            except OSError:  # not listening yet
                status = 0
            if status == 200:
                return json.loads(body)
            time.sleep(0.3)
        raise AssertionError(f"/healthz never answered 200\n{self.log()}")

    def kill_everything(self) -> None:
        for pid in [self.process.pid, *descendants(self.process.pid)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=5)


@pytest.fixture
def run(data_dir, tmp_path):
    started: list[Running] = []

    def start() -> Running:
        started.append(Running(data_dir, tmp_path / f"run-{len(started)}.log"))
        return started[-1]

    yield start
    for running in started:
        if running.process.poll() is None:
            running.kill_everything()


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_run_serves_the_desk_and_stops_everything_on_a_signal(run, stop_signal):
    app = run()
    health = app.wait_healthy()
    assert health["database"] is True
    assert health["worker_heartbeat_age_seconds"] < 30
    status, page = get(f"{app.url}/login/")
    assert status == 200
    assert b'name="password"' in page
    children = descendants(app.process.pid)
    assert len(children) >= 4  # gunicorn master and worker, the task worker, the scheduler

    app.process.send_signal(stop_signal)
    assert app.process.wait(timeout=10) == 0
    assert survivors(children) == []
    log = app.log()
    for prefix in ("web       | ", "worker    | ", "scheduler | "):
        assert prefix in log
    assert '"GET /login/ HTTP/1.1" 200' in log  # gunicorn's access log, prefixed


def survivors(pids: list[int], within: float = 5.0) -> list[int]:
    """The processes still alive after waiting up to `within` seconds for them to go."""
    deadline = time.monotonic() + within
    while (left := [pid for pid in pids if alive(pid)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def test_when_one_component_dies_the_others_are_stopped_and_run_fails(run):
    app = run()
    app.wait_healthy()
    scheduler = next(
        pid for pid in descendants(app.process.pid) if b"scheduler" in Path(f"/proc/{pid}/cmdline").read_bytes()
    )
    children = descendants(app.process.pid)
    os.kill(scheduler, signal.SIGKILL)
    assert app.process.wait(timeout=15) == 1
    assert survivors(children) == []
    assert "scheduler | exited with code -9; stopping the others" in app.log()
