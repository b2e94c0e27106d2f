"""Webhook delivery against a real HTTP receiver on loopback: signatures, retries with backoff, giving up,
compare-and-set claims and lease expiry."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import time_machine

from servicedesk.core import scheduler
from servicedesk.webhooks import delivery as sending
from servicedesk.webhooks import outbox, signing
from servicedesk.webhooks.models import Delivery, DeliveryStatus, Subscription
from servicedesk.webhooks.tasks import deliver_due_webhooks

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    signature_valid: bool


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 that answers with the scripted status codes, then 200, and checks each
    request's signature as a receiver would."""

    secret: str = ""
    script: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, path: str, headers: dict[str, str], body: bytes) -> int:
        valid = signing.verify(
            self.secret, headers.get("X-Servicedesk-Timestamp", ""), body, headers.get("X-Servicedesk-Signature", "")
        )
        with self.lock:
            self.received.append(Received(path, headers, body, valid))
            return self.script.pop(0) if self.script else 200


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = state.answer(self.path, dict(self.headers.items()), body)
            if status in (301, 302):
                self.send_response(status)
                self.send_header("Location", "/elsewhere")
                self.end_headers()
                return
            reply = b'{"ok": true}' if status < 300 else b"boom"
            self.send_response(status)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/servicedesk?source=test"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _webhook_settings(settings):
    settings.WEBHOOK_TIMEOUT = 5
    settings.WEBHOOK_MAX_ATTEMPTS = 4
    settings.WEBHOOK_BACKOFF_BASE = 30
    settings.WEBHOOK_BACKOFF_MAX = 3600
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def subscribe(receiver: Receiver, **fields) -> Subscription:
    subscription = Subscription.objects.create(
        name="Integration", url=receiver.url, event_types=["ticket.created"], **fields
    )
    receiver.secret = subscription.secret
    return subscription


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_failing_receiver_gets_the_event_again_after_the_backoff_and_finally_accepts_it(receiver):
    subscription = subscribe(receiver)
    receiver.script = [500, 500]
    with time_machine.travel(START, tick=False):
        ping = outbox.record_ping(subscription)
        assert sending.deliver_due() == 1
    ping.refresh_from_db()
    assert (ping.status, ping.attempts, ping.last_status_code, ping.last_error) == ("pending", 1, 500, "HTTP 500")
    first_retry_at = ping.due_at
    assert START + dt.timedelta(seconds=30) <= first_retry_at <= START + dt.timedelta(seconds=36)

    with time_machine.travel(first_retry_at - dt.timedelta(seconds=1), tick=False):
        assert sending.deliver_due() == 0  # not yet due: the receiver is left alone
    assert len(receiver.received) == 1

    with time_machine.travel(first_retry_at, tick=False):
        assert sending.deliver_due() == 1
    ping.refresh_from_db()
    second_wait = ping.due_at - first_retry_at
    assert dt.timedelta(seconds=60) <= second_wait <= dt.timedelta(seconds=72)  # doubled

    with time_machine.travel(ping.due_at, tick=False):
        assert sending.deliver_due() == 1
    ping.refresh_from_db()
    assert ping.status == DeliveryStatus.DELIVERED
    assert ping.attempts == 3
    assert ping.last_status_code == 200
    assert ping.last_error == ""
    assert ping.delivered_at is not None
    assert [a.status_code for a in ping.attempt_log.all()] == [500, 500, 200]
    assert [a.number for a in ping.attempt_log.all()] == [1, 2, 3]

    assert len(receiver.received) == 3
    assert all(request.signature_valid for request in receiver.received)
    assert {request.body for request in receiver.received} == {ping.body.encode()}  # the same bytes every time
    last = receiver.received[-1]
    assert last.path == "/hooks/servicedesk?source=test"
    assert last.headers["X-Servicedesk-Event"] == "ping"
    assert last.headers["X-Servicedesk-Delivery"] == str(ping.pk)
    assert last.headers["Content-Type"].startswith("application/json")
    assert json.loads(last.body)["type"] == "ping"


def test_the_signature_covers_timestamp_and_body_with_the_subscription_secret(receiver):
    subscription = subscribe(receiver)
    with time_machine.travel(START, tick=False):
        sending.deliver(outbox.record_ping(subscription).pk)
    request = receiver.received[0]
    timestamp = request.headers["X-Servicedesk-Timestamp"]
    assert timestamp == str(int(START.timestamp()))
    assert request.signature_valid
    assert not signing.verify("another secret", timestamp, request.body, request.headers["X-Servicedesk-Signature"])
    assert not signing.verify(
        subscription.secret, timestamp, request.body + b" ", request.headers["X-Servicedesk-Signature"]
    )
    assert not signing.verify(
        subscription.secret, str(int(timestamp) + 1), request.body, request.headers["X-Servicedesk-Signature"]
    )


def test_a_delivery_is_given_up_as_failed_after_the_maximum_number_of_attempts(receiver):
    subscription = subscribe(receiver)
    receiver.script = [503] * 10
    moment = START
    with time_machine.travel(moment, tick=False):
        ping = outbox.record_ping(subscription)
    for _ in range(4):
        ping.refresh_from_db()
        with time_machine.travel(max(moment, ping.due_at), tick=False):
            sending.deliver_due()
    ping.refresh_from_db()
    assert ping.status == DeliveryStatus.FAILED
    assert ping.attempts == 4
    assert ping.last_status_code == 503
    with time_machine.travel(START + dt.timedelta(days=2), tick=False):
        assert sending.deliver_due() == 0
    assert len(receiver.received) == 4


def test_a_network_error_is_recorded_and_retried():
    subscription = Subscription.objects.create(
        name="Down", url=f"http://127.0.0.1:{free_port()}/", event_types=["ticket.created"]
    )
    with time_machine.travel(START, tick=False):
        ping = sending.deliver(outbox.record_ping(subscription).pk)
    assert ping is not None
    assert ping.status == DeliveryStatus.PENDING
    assert ping.last_status_code is None
    assert "ConnectionRefusedError" in ping.last_error
    assert ping.due_at > START


def test_a_redirect_is_not_followed_and_counts_as_a_failure(receiver):
    subscription = subscribe(receiver)
    receiver.script = [302]
    with time_machine.travel(START, tick=False):
        ping = sending.deliver(outbox.record_ping(subscription).pk)
    assert ping is not None
    assert (ping.status, ping.last_status_code) == (DeliveryStatus.PENDING, 302)
    assert len(receiver.received) == 1


def test_backoff_doubles_with_jitter_and_stops_at_the_cap(settings):
    settings.WEBHOOK_BACKOFF_MAX = 300
    assert sending.backoff(1, rand=lambda: 0.0) == dt.timedelta(seconds=30)
    assert sending.backoff(2, rand=lambda: 0.0) == dt.timedelta(seconds=60)
    assert sending.backoff(3, rand=lambda: 1.0) == dt.timedelta(seconds=144)
    assert sending.backoff(20, rand=lambda: 0.0) == dt.timedelta(seconds=300)


# --- Claims ---------------------------------------------------------------------------------------------------


def test_two_claimers_who_read_the_same_row_never_both_take_it(receiver):
    with time_machine.travel(START, tick=False):
        ping = outbox.record_ping(subscribe(receiver))
    with time_machine.travel(START + dt.timedelta(minutes=1), tick=False):
        now = START + dt.timedelta(minutes=1)
        seen_by_first = sending.read_due(ping.pk, now)
        seen_by_second = sending.read_due(ping.pk, now)
        assert seen_by_first == seen_by_second is not None
        assert sending.take(ping.pk, seen_by_first, now) is not None
        assert sending.take(ping.pk, seen_by_second, now) is None
        assert sending.claim(ping.pk, now) is None  # and a fresh look finds it leased


def test_a_row_whose_worker_died_is_due_again_when_its_lease_runs_out(receiver, settings):
    with time_machine.travel(START, tick=False):
        ping = outbox.record_ping(subscribe(receiver))
        dead_workers_claim = sending.claim(ping.pk, START)
    assert dead_workers_claim is not None
    lease_end = START + sending.lease()
    with time_machine.travel(lease_end - dt.timedelta(seconds=1), tick=False):
        assert sending.deliver_due() == 0
    with time_machine.travel(lease_end, tick=False):
        assert sending.deliver_due() == 1
    ping.refresh_from_db()
    assert (ping.status, ping.attempts) == (DeliveryStatus.DELIVERED, 2)
    # The dead worker wakes up after all: its late outcome must not overwrite the real one.
    receiver.script = [500]
    sending.send(dead_workers_claim)
    ping.refresh_from_db()
    assert (ping.status, ping.last_status_code) == (DeliveryStatus.DELIVERED, 200)
    assert list(ping.attempt_log.values_list("number", "status_code")) == [(2, 200)]


def test_a_lost_last_attempt_gives_the_delivery_up_rather_than_exceed_the_limit(receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    with time_machine.travel(START, tick=False):
        ping = outbox.record_ping(subscribe(receiver))
        assert sending.claim(ping.pk, START) is not None
    with time_machine.travel(START + sending.lease(), tick=False):
        assert sending.deliver_due() == 0
    ping.refresh_from_db()
    assert ping.status == DeliveryStatus.FAILED
    assert receiver.received == []


def test_deliveries_of_a_paused_subscription_wait(receiver):
    subscription = subscribe(receiver, active=False)
    outbox.record_ping(subscription)
    assert sending.deliver_due() == 0
    Subscription.objects.filter(pk=subscription.pk).update(active=True)
    assert sending.deliver_due() == 1
    assert len(receiver.received) == 1


def test_the_task_sends_due_deliveries_and_the_scheduler_runs_it_periodically(receiver):
    subscription = subscribe(receiver)
    outbox.record_ping(subscription)
    outbox.record_ping(subscription)
    assert deliver_due_webhooks.call() == 2
    assert Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 2
    periodic = {p.name: p for p in scheduler.PERIODIC}["deliver_webhooks"]
    assert periodic.task is deliver_due_webhooks
    assert periodic.every <= dt.timedelta(seconds=30)


def sweep_in_steps(name: str, now: dt.datetime, log: list[tuple[str, int]]) -> Iterator[None]:
    """One worker's sweep, pausing between reading a row and trying to take it: the moment a second worker
    can slip in."""
    for delivery_id in sending.due_ids(now):
        seen = sending.read_due(delivery_id, now)
        yield
        if seen is not None and (claimed := sending.take(delivery_id, seen, now)) is not None:
            log.append((name, delivery_id))
            sending.send(claimed)
        yield


def test_two_workers_sweeping_at_once_send_every_row_exactly_once(receiver):
    with time_machine.travel(START, tick=False):
        subscription = subscribe(receiver)
        rows = [outbox.record_ping(subscription) for _ in range(10)]
    now = START + dt.timedelta(seconds=1)
    log: list[tuple[str, int]] = []
    first, second = sweep_in_steps("first", now, log), sweep_in_steps("second", now, log)
    with time_machine.travel(now, tick=False):
        # Lock-step: both read every row before either tries to take it.
        for _ in zip(first, second, strict=False):
            pass
        for _ in first:
            pass
        for _ in second:
            pass
    sent_ids = sorted(int(request.headers["X-Servicedesk-Delivery"]) for request in receiver.received)
    assert sent_ids == sorted(row.pk for row in rows)  # each once, none twice
    assert sorted(delivery_id for _, delivery_id in log) == sent_ids
    assert Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 10


def test_a_committed_ticket_change_reaches_the_receiver_through_the_worker(
    receiver, settings, l1_agent, customer_user, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    subscribe(receiver)
    from servicedesk.tickets import actions

    with django_capture_on_commit_callbacks(execute=True):
        ticket = actions.open_ticket(actor=l1_agent, subject="Server down", requester=customer_user)
    [request] = receiver.received
    assert request.headers["X-Servicedesk-Event"] == "ticket.created"
    assert request.signature_valid
    assert json.loads(request.body)["ticket"]["number"] == ticket.number


def test_the_receiver_example_in_the_documentation_verifies_a_real_delivery(receiver):
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[1] / "docs" / "webhooks.md").read_text()
    section = docs.split("## Verifying the signature", 1)[1]
    example = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert len(example.strip().splitlines()) <= 10
    namespace: dict = {}
    exec(example, namespace)  # noqa: S102  (our own documentation)
    subscription = subscribe(receiver)
    sending.deliver(outbox.record_ping(subscription).pk)
    request = receiver.received[0]
    is_genuine = namespace["is_genuine"]
    assert is_genuine(subscription.secret, request.headers, request.body)
    assert not is_genuine(subscription.secret, request.headers, request.body.replace(b"ping", b"pong"))
    assert not is_genuine("whsec_wrong", request.headers, request.body)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)):
        assert not is_genuine(subscription.secret, request.headers, request.body)  # a replay, ten minutes later
