"""Desk pages to manage webhook subscriptions and read their delivery log. Parse, authorise, call."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicedesk.webhooks import delivery as sending
from servicedesk.webhooks import outbox
from servicedesk.webhooks.access import manager_required
from servicedesk.webhooks.forms import SubscriptionForm
from servicedesk.webhooks.models import Delivery, DeliveryStatus, Subscription, new_secret

DELIVERIES_PER_PAGE = 50
# The log page shows only these columns; the JSON body is on the delivery's own page.
LOG_COLUMNS = (
    "id",
    "event_type",
    "ticket_number",
    "status",
    "attempts",
    "due_at",
    "created_at",
    "delivered_at",
    "last_attempt_at",
    "last_status_code",
    "last_error",
    "last_duration_ms",
    "subscription_id",
)


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    # Shows the nav link to agents holding the permission (base.html checks only is_superuser by itself).
    return render(request, template, {**context, "can_manage_webhooks": True}, status=status)


@manager_required
def subscriptions(request: HttpRequest) -> HttpResponse:
    rows = Subscription.objects.select_related("organization").annotate(
        waiting=Count("deliveries", filter=Q(deliveries__status__in=sending.DUE_STATUSES)),
        failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
    )
    return _render(request, "webhooks/subscriptions.html", {"subscriptions": rows})


@manager_required
def subscription_new(request: HttpRequest) -> HttpResponse:
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        subscription = form.save(commit=False)
        subscription.created_by = request.user  # type: ignore[assignment]  # (manager_required: signed in)
        subscription.save()
        messages.success(request, _("Subscription created. Give the signing secret below to the receiver."))
        return redirect(subscription)
    return _render(request, "webhooks/subscription_new.html", {"form": form})


@manager_required
def subscription(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = get_object_or_404(Subscription.objects.select_related("organization"), pk=pk)
    form = SubscriptionForm(request.POST or None, instance=subscription)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Subscription saved."))
        return redirect(subscription)
    status = request.GET.get("status", "")
    log = subscription.deliveries.only(*LOG_COLUMNS).order_by("-created_at", "-id")
    if status in DeliveryStatus.values:
        log = log.filter(status=status)
    else:
        status = ""
    context = {
        "subscription": subscription,
        "form": form,
        "page_obj": Paginator(log, DELIVERIES_PER_PAGE).get_page(request.GET.get("page")),
        "status": status,
        "statuses": DeliveryStatus.choices,
    }
    return _render(request, "webhooks/subscription.html", context, status=400 if form.errors else 200)


def _report(request: HttpRequest, result: Delivery | None) -> None:
    if result is None:
        messages.warning(request, _("The event is queued; a worker will send it shortly."))
    elif result.status == DeliveryStatus.DELIVERED:
        messages.success(
            request,
            _("Delivered: the receiver answered %(code)s in %(ms)s ms.")
            % {"code": result.last_status_code, "ms": result.last_duration_ms},
        )
    else:
        messages.error(
            request,
            _("Not delivered (%(error)s); it will be retried.") % {"error": result.last_error}
            if result.status == DeliveryStatus.PENDING
            else _("Not delivered (%(error)s).") % {"error": result.last_error},
        )


@require_POST
@manager_required
def send_test(request: HttpRequest, pk: int) -> HttpResponse:
    """A ping through the same outbox row, claim and signed POST as real events; sent now, so the manager sees
    the receiver's answer at once (a failure is retried like any other delivery)."""
    subscription = get_object_or_404(Subscription, pk=pk)
    ping = outbox.record_ping(subscription)
    _report(request, sending.deliver(ping.pk))
    return redirect(subscription)


@require_POST
@manager_required
def redeliver(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    original = get_object_or_404(Delivery.objects.select_related("subscription"), pk=delivery_pk, subscription_id=pk)
    copy = outbox.redeliver(original)
    _report(request, sending.deliver(copy.pk))
    return redirect(original.subscription)


@require_POST
@manager_required
def rotate_secret(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = get_object_or_404(Subscription, pk=pk)
    subscription.secret = new_secret()
    subscription.save(update_fields=["secret"])
    messages.success(request, _("A new signing secret was generated; the old one no longer verifies."))
    return redirect(subscription)


@require_POST
@manager_required
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = get_object_or_404(Subscription, pk=pk)
    subscription.delete()
    messages.success(request, _("Subscription “%(name)s” deleted.") % {"name": subscription.name})
    return redirect("webhooks:subscriptions")


@manager_required
def delivery(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    row = get_object_or_404(Delivery.objects.select_related("subscription"), pk=delivery_pk, subscription_id=pk)
    context = {"delivery": row, "subscription": row.subscription, "attempts": row.attempt_log.all()}
    return _render(request, "webhooks/delivery.html", context)
