from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from servicedesk.core.models import Heartbeat


def pending_task_count() -> int | None:
    backend = str(settings.TASKS["default"]["BACKEND"])
    if backend.startswith("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        return DBTaskResult.objects.ready().count()
    if backend.startswith("django_tasks_rq"):
        import django_rq

        return int(django_rq.get_queue("default").count)
    return 0


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and monitors: 503 when the database or the worker is not there.
    The scheduler enqueues the worker's heartbeat, so a stopped scheduler shows up as a stale worker too."""
    body: dict[str, object] = {
        "database": False,
        "worker_heartbeat_age_seconds": None,
        "scheduler_heartbeat_age_seconds": None,
        "pending_tasks": None,
    }
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        body["database"] = True
        now = timezone.now()
        for beat in Heartbeat.objects.filter(component__in=["worker", "scheduler"]):
            body[f"{beat.component}_heartbeat_age_seconds"] = round((now - beat.beat_at).total_seconds(), 1)
        body["pending_tasks"] = pending_task_count()
    except Exception as error:  # the point of the endpoint is to report, not to fail
        body["error"] = str(error)[:200]
    age = body["worker_heartbeat_age_seconds"]
    healthy = bool(body["database"]) and isinstance(age, float) and age <= settings.WORKER_HEARTBEAT_MAX_AGE
    body["status"] = "ok" if healthy else "unhealthy"
    return JsonResponse(body, status=200 if healthy else 503)
