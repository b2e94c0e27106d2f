"""`servicedesk run`: the whole application in one command, for one machine.

Migrates, collects static files, then supervises three children like honcho/foreman: gunicorn (web), the task
worker and the scheduler, each line of their output prefixed with its name. SIGINT/SIGTERM stop all of them
(SIGTERM, then SIGKILL after a timeout); when one child dies the others are stopped and the command exits non-zero.
Each child leads its own process group, so stopping gunicorn also reaches its worker processes."""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import os
import signal
import subprocess
import sys
import threading
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser, OutputWrapper

STOP_TIMEOUT_SECONDS = 10.0
_PR_SET_PDEATHSIG = 1
_COLOURS = ("\033[36m", "\033[33m", "\033[35m", "\033[32m")


@dataclasses.dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None


def manage(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "servicedesk", *arguments]


def bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"


def children(host: str, port: int, workers: int) -> list[Child]:
    web = [
        sys.executable,
        "-m",
        "gunicorn",
        "servicedesk.wsgi",
        f"--bind={bind_address(host, port)}",
        f"--workers={workers}",
        "--access-logfile=-",
        "--error-logfile=-",
        f"--graceful-timeout={int(STOP_TIMEOUT_SECONDS) - 2}",
        "--no-control-socket",  # its default path in $HOME would clash between two installs on one machine
    ]
    if settings.REDIS_URL:
        worker = manage("rqworker", "default", "--with-scheduler")
    else:
        worker = manage("db_worker", "--queue-name=default", "--no-reload", "--no-startup-delay")
    result = [Child("web", web), Child("worker", worker), Child("scheduler", manage("scheduler"))]
    if settings.SMTPD_PORT:  # the SMTP receiver (mail/smtpd.py), when mail is delivered to us rather than fetched
        result.append(Child("smtpd", manage("smtpd", f"--host={settings.SMTPD_HOST}", f"--port={settings.SMTPD_PORT}")))
    return result


def _die_with_parent() -> None:
    """In the child, before exec: a new process group, and SIGTERM when `servicedesk run` itself dies
    (even by SIGKILL), so no child outlives the supervisor."""
    os.setpgrp()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: children are still stopped on an orderly exit
        pass


class Command(BaseCommand):
    help = "Migrate, collect static files, then run the web server, the task worker and the scheduler."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on (default 8000).")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2).")

    def handle(self, *args: Any, host: str, port: int, workers: int, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=1)
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"Servicedesk on http://{bind_address(host, port)}/ (Ctrl-C stops it)")
        self.stdout.flush()
        exit_code = Supervisor(children(host, port, workers), self.stdout).run()
        if exit_code:
            raise SystemExit(exit_code)


class Supervisor:
    def __init__(self, children: list[Child], out: OutputWrapper) -> None:
        self.children = children
        self.out = out
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.width = max(len(child.name) for child in children)
        self.colour = out.isatty()
        self.readers: list[threading.Thread] = []

    def run(self) -> int:
        """Start the children and wait; returns the exit code for the whole command."""
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            self._start_all()
            failed = self._wait_for_stop_or_death()
            self._stop_all()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        for reader in self.readers:
            reader.join(timeout=2)
        return 1 if failed else 0

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stop.set()

    def _start_all(self) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "SERVICEDESK_DATA_DIR": str(settings.DATA_DIR)}
        for child in self.children:
            # preexec_fn runs before any reader thread exists: the threads start after every child.
            child.process = subprocess.Popen(
                child.argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env=env,
                preexec_fn=_die_with_parent,
            )
            self.write(child, f"started (pid {child.process.pid})")
        for index, child in enumerate(self.children):
            reader = threading.Thread(target=self._pump, args=(child, index), daemon=True)
            reader.start()
            self.readers.append(reader)

    def _wait_for_stop_or_death(self) -> bool:
        while not self.stop.wait(0.2):
            for child in self.children:
                assert child.process is not None
                code = child.process.poll()
                if code is not None:
                    self.write(child, f"exited with code {code}; stopping the others")
                    return True
        return False

    def _stop_all(self) -> None:
        running = [child for child in self.children if child.process and child.process.poll() is None]
        for child in running:
            self._signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for child in running:
            assert child.process is not None
            try:
                child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.write(child, "did not stop in time; killing it")
                self._signal_group(child, signal.SIGKILL)
                child.process.wait()
        for child in self.children:
            # Whatever is left in a group (a gunicorn worker whose master died) goes too.
            self._signal_group(child, signal.SIGKILL)
            assert child.process is not None
            self.write(child, f"stopped (code {child.process.returncode})")

    def _signal_group(self, child: Child, sig: signal.Signals) -> None:
        assert child.process is not None
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.process.pid, sig)

    def _pump(self, child: Child, index: int) -> None:
        assert child.process is not None and child.process.stdout is not None
        for raw in iter(child.process.stdout.readline, b""):
            self.write(child, raw.decode("utf-8", "replace").rstrip("\n"), index)

    def write(self, child: Child, line: str, index: int | None = None) -> None:
        if index is None:
            index = self.children.index(child)
        prefix = f"{child.name:<{self.width}} | "
        if self.colour:
            prefix = f"{_COLOURS[index % len(_COLOURS)]}{prefix}\033[0m"
        with self.lock:
            self.out.write(prefix + line + "\n")
            self.out.flush()
