"""GET /healthz: what load balancers and monitors ask. 200 only with a reachable database and a fresh worker."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import OperationalError
from django.utils import timezone

from servicedesk.core import tasks
from servicedesk.core.models import Heartbeat

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def _database_tasks(settings):
    settings.TASKS = DB_TASKS
    settings.WORKER_HEARTBEAT_MAX_AGE = 180


def beat(component: str, seconds_ago: float) -> None:
    Heartbeat.objects.update_or_create(
        component=component, defaults={"beat_at": timezone.now() - dt.timedelta(seconds=seconds_ago)}
    )


def test_healthy_with_a_fresh_worker_heartbeat(client):
    beat("worker", 10)
    beat("scheduler", 2)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] is True
    assert 9 <= body["worker_heartbeat_age_seconds"] <= 20
    assert 1 <= body["scheduler_heartbeat_age_seconds"] <= 10
    assert body["pending_tasks"] == 0
    assert "no-cache" in response["Cache-Control"]


def test_unavailable_before_any_worker_has_run(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "database": True,
        "worker_heartbeat_age_seconds": None,
        "scheduler_heartbeat_age_seconds": None,
        "pending_tasks": 0,
        "status": "unhealthy",
    }


def test_unavailable_when_the_worker_heartbeat_is_stale(client, settings):
    settings.WORKER_HEARTBEAT_MAX_AGE = 60
    beat("worker", 61)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker_heartbeat_age_seconds"] >= 61


def test_counts_pending_tasks(client):
    beat("worker", 1)
    tasks.worker_heartbeat.enqueue()
    tasks.auto_close_resolved.enqueue()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["pending_tasks"] == 2


def test_unavailable_when_the_database_is_not_reachable(client, monkeypatch):
    beat("worker", 1)

    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("servicedesk.core.views.connection.cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] is False
    assert body["status"] == "unhealthy"
    assert "connection refused" in body["error"]


def test_only_get(client):
    assert client.post("/healthz").status_code == 405
