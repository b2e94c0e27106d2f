from django.db import models


class Heartbeat(models.Model):
    """The last time a component (the task worker, the scheduler) proved it was alive."""

    component = models.CharField(max_length=50, primary_key=True)
    beat_at = models.DateTimeField()
    host = models.CharField(max_length=255, blank=True)


class Schedule(models.Model):
    """When a periodic task is due next. Schedulers claim a run by moving next_due_at forward with a
    compare-and-set UPDATE, so several schedulers can run at once and each run is enqueued once."""

    name = models.CharField(max_length=100, primary_key=True)
    next_due_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)
