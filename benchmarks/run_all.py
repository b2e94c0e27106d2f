"""Every benchmark, one after another, with a description of the machine first: the figures of docs/benchmarks.md.

    .venv/bin/python -m benchmarks.run_all                      # SQLite
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5433/servicedesk .venv/bin/python -m benchmarks.run_all

The first run generates the 100,000-ticket database (about two minutes); later runs reuse it.
Run on a quiet machine: other processes on the two cores show up directly in the figures.
"""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
import sys
from pathlib import Path

from benchmarks import common

BENCHMARKS = [
    "benchmarks.generate",
    "benchmarks.bench_open_ticket",
    "benchmarks.bench_pages",
    "benchmarks.bench_search",
    "benchmarks.bench_api",
    "benchmarks.bench_ask_flood",
    "benchmarks.bench_outbox",
    "benchmarks.bench_mail_ingest",
    "benchmarks.bench_sla_clock",
    "benchmarks.bench_sla_sweep",
]


def machine() -> list[str]:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "?")
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    memory_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    import django

    return [
        f"date (UTC): {subprocess.run(['date', '-u'], capture_output=True, text=True).stdout.strip()}",
        f"cores (nproc): {os.cpu_count()}, CPU: {cpu}, RAM: {memory_kb / 1024 / 1024:.1f} GiB",
        f"load average before the run: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}",
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, Django {django.get_version()}",
        f"database: {common.database_label()}",
    ]


def main() -> None:
    print("\n".join(machine()), flush=True)
    for module in BENCHMARKS:
        print(f"\n$ python -m {module}", flush=True)
        subprocess.run([sys.executable, "-m", module], cwd=common.ROOT, check=True)


if __name__ == "__main__":
    main()
