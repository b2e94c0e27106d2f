from django.db import models


class Heartbeat(models.Model):
    """The last time a component (the task worker, the scheduler) proved it was alive."""

    component = models.CharField(max_length=50, primary_key=True)
    beat_at = models.DateTimeField()
    host = models.CharField(max_length=255, blank=True)
