"""What every benchmark shares: where its database lives, how Django is set up against it, and the statistics.

A benchmark runs against SQLite in benchmarks/out/sqlite/ by default, or against PostgreSQL when
BENCH_DATABASE_URL is set (e.g. postgres://postgres@127.0.0.1:5433/servicedesk). Nothing here touches the
developer's own data folder.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
TICKETS = 100_000


def database_label() -> str:
    return "postgresql" if os.environ.get("BENCH_DATABASE_URL") else "sqlite"


def data_dir() -> Path:
    return OUT / database_label()


def copy_sqlite(name: str) -> Path:
    """A fresh copy of the generated SQLite database in benchmarks/out/<name>/, for a benchmark that writes, so
    the 100,000 tickets the other benchmarks read stay as generated."""
    import sqlite3
    from contextlib import closing

    source = data_dir() / "servicedesk.sqlite3"
    folder = OUT / name
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "servicedesk.sqlite3"
    for stale in folder.glob("servicedesk.sqlite3*"):
        stale.unlink()
    with closing(sqlite3.connect(source)) as original, closing(sqlite3.connect(target)) as copy:
        original.backup(copy)
    (folder / "secret_key").write_text((data_dir() / "secret_key").read_text())
    (folder / "static").mkdir(exist_ok=True)
    return folder


def environment() -> dict[str, str]:
    """The environment a benchmark process (and the gunicorn it starts) runs Django with."""
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "DEBUG", "TASKS_IMMEDIATE"}}
    env["DJANGO_SETTINGS_MODULE"] = "servicedesk.settings"
    env["SERVICEDESK_DATA_DIR"] = str(data_dir())
    env["LANGUAGE_CODE"] = "en"
    env["LOG_LEVEL"] = "WARNING"
    if url := os.environ.get("BENCH_DATABASE_URL"):
        env["DATABASE_URL"] = url
    return env


def ensure_generated() -> None:
    """Build the benchmark database unless it is there (in a child process, before this one sets up Django)."""
    subprocess.run([sys.executable, "-m", "benchmarks.generate"], cwd=ROOT, check=True)


def setup_django(folder: Path | None = None) -> None:
    """Configure this process for the benchmark database (or a copy in `folder`); call before importing models."""
    (data_dir() / "static").mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing STATIC_ROOT
    env = environment()
    if folder is not None:
        env["SERVICEDESK_DATA_DIR"] = str(folder)
    if "DATABASE_URL" not in env:
        os.environ.pop("DATABASE_URL", None)
    os.environ.update(env)
    import django

    django.setup()


def percentile(samples: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest sample with at least `fraction` of the samples at or below it."""
    ordered = sorted(samples)
    rank = max(1, round(fraction * len(ordered) + 0.4999999))
    return ordered[min(rank, len(ordered)) - 1]


def summary(samples_ms: Sequence[float]) -> dict[str, float]:
    return {
        "n": len(samples_ms),
        "p50": statistics.median(samples_ms),
        "p95": percentile(samples_ms, 0.95),
        "max": max(samples_ms),
    }


def describe(label: str, samples_ms: Sequence[float], target_ms: float | None = None) -> str:
    stats = summary(samples_ms)
    line = (
        f"{label:<28} n={stats['n']:<5} p50={stats['p50']:7.1f} ms  p95={stats['p95']:7.1f} ms"
        f"  max={stats['max']:7.1f} ms"
    )
    if target_ms is not None:
        line += f"  target p95 <= {target_ms:.0f} ms: {'met' if stats['p95'] <= target_ms else 'MISSED'}"
    return line


def timed_ms(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000
