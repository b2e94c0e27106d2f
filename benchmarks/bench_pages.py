"""Response times of the agent's busiest pages over real HTTP, and the SQL queries each one runs.

    .venv/bin/python -m benchmarks.bench_pages [-n 200]

Starts gunicorn (2 sync workers, as on a 2-core server) on a free loopback port against the benchmark database,
signs in an agent through the login form, then requests, one after another from this process: the queue page
(`/?queue=open`, the first page of 50 of about 15,000 open tickets, and `/`, the agent's default queue) and
the pages of random tickets (`/tickets/<number>/`). Times are for the HTML response (connect to last byte);
the page's CSS and JS are static files a browser caches. The query counts come from the same pages rendered
in this process by Django's test client under CaptureQueriesContext.
"""

from __future__ import annotations

import argparse
import http.client
import re
import signal
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from benchmarks import common

TARGET_P95_MS = 100
WORKERS = 2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Browser:
    """A minimal HTTP client that keeps the cookies of one signed-in agent."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, text
        finally:
            connection.close()

    def sign_in(self, username: str, password: str) -> None:
        _status, page = self.request("GET", "/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token is None:
            sys.exit("no CSRF token on the login page")
        form = urlencode({"csrfmiddlewaretoken": token.group(1), "login": username, "password": password})
        status, _page = self.request("POST", "/login/", form)
        if status != 302 or "sessionid" not in self.cookies:
            sys.exit(f"signing in as {username} failed (HTTP {status})")


def start_gunicorn(port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "servicedesk.wsgi:application",
        f"--workers={WORKERS}",
        f"--bind=127.0.0.1:{port}",
        "--access-logfile=-",
        "--log-level=warning",
    ]
    server = subprocess.Popen(
        command, env=common.environment(), cwd=common.ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}; see {log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.1)
    else:
        stop(server)
        sys.exit("gunicorn did not start within 30 s")
    return server


def stop(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)  # gunicorn's master stops its workers
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def query_counts(paths: dict[str, str]) -> dict[str, int]:
    """SQL queries per page, rendered in this process as the bench agent."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from benchmarks.generate import AGENT_USERNAME
    from servicedesk.accounts.models import User

    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(User.objects.get(username=AGENT_USERNAME))
    counts = {}
    for label, path in paths.items():
        client.get(path)  # the first request fills per-process caches (translations, content types)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code != 200:
            sys.exit(f"{path} answered {response.status_code} in process")
        counts[label] = len(queries)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=200, help="requests of each page")
    args = parser.parse_args()
    common.ensure_generated()
    common.setup_django()
    import random

    from benchmarks.generate import AGENT_PASSWORD, AGENT_USERNAME
    from servicedesk.tickets.models import Ticket

    rng = random.Random(5)
    last_id = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    numbers = list(
        Ticket.objects.filter(pk__in=[rng.randint(1, last_id) for _ in range(args.n * 2)]).values_list(
            "number", flat=True
        )
    )[: args.n]
    rng.shuffle(numbers)
    pages = {
        "queue /?queue=open": lambda _i: "/?queue=open",
        "queue / (default)": lambda _i: "/",
        "ticket /tickets/<n>/": lambda i: f"/tickets/{numbers[i % len(numbers)]}/",
    }
    counts = query_counts({label: path(0) for label, path in pages.items()})
    from django.db import connection

    connection.close()  # the server's workers have the database to themselves while we measure

    port = free_port()
    log = common.OUT / "gunicorn.log"
    server = start_gunicorn(port, log)
    try:
        browser = Browser(port)
        browser.sign_in(AGENT_USERNAME, AGENT_PASSWORD)
        results = {}
        for label, path in pages.items():
            for index in range(5):  # warm both workers
                browser.request("GET", path(index))
            samples = []
            for index in range(args.n):
                started = time.perf_counter()
                status, _body = browser.request("GET", path(index))
                samples.append((time.perf_counter() - started) * 1000)
                if status != 200:
                    sys.exit(f"{path(index)} answered HTTP {status}; see {log}")
            results[label] = samples
    finally:
        stop(server)
    print(f"pages over HTTP, gunicorn {WORKERS} workers, {connection.vendor}, sequential requests")
    for label, samples in results.items():
        print("  " + common.describe(label, samples, TARGET_P95_MS) + f"  SQL queries: {counts[label]}")


if __name__ == "__main__":
    main()
