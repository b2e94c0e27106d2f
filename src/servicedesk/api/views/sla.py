"""/api/v1/calendars/, sla-plans/, contracts/ and sla/preview/: what the company promises, and when a ticket would
be due under it.

Calendars and plans are the company's product terms: any signed-in agent or customer may read them. Contracts are
the customer's: agents read all, a customer manager their organization's (without notes). Only SLA managers
(sla.access.can_manage) write."""

from __future__ import annotations

from typing import Any

from django.db.models import ProtectedError, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from servicedesk.api import permissions as perms
from servicedesk.api.pagination import ByName, OldestFirst
from servicedesk.api.problems import Problem
from servicedesk.api.serializers import sla as s
from servicedesk.sla import access
from servicedesk.sla.models import Contract, ServiceCalendar, SlaPlan, SlaPlanVersion
from servicedesk.sla.preview import preview, version_for_organization


class ReadOrManage(BasePermission):
    """Reading: agents and customers (each view scopes what a customer sees); writing: SLA managers."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return perms.is_agent(request.user) or perms.contact_of(request) is not None
        return access.can_manage(request.user)


class _SlaResource(viewsets.ModelViewSet[Any]):
    permission_classes = [ReadOrManage]
    pagination_class = ByName
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def perform_destroy(self, instance: Any) -> None:
        try:
            instance.delete()
        except ProtectedError as error:
            raise Problem(409, "in_use", _("Still in use: deactivate it or change what uses it first.")) from error


@extend_schema_view(
    list=extend_schema(summary="Service calendars"),
    retrieve=extend_schema(summary="A service calendar"),
    create=extend_schema(summary="Create a service calendar (SLA managers)"),
    update=extend_schema(summary="Replace a service calendar (SLA managers)"),
    partial_update=extend_schema(summary="Change a service calendar (SLA managers)"),
    destroy=extend_schema(summary="Delete an unused service calendar (SLA managers)"),
)
class CalendarViewSet(_SlaResource):
    serializer_class = s.CalendarSerializer
    queryset = ServiceCalendar.objects.prefetch_related("days")


@extend_schema_view(
    list=extend_schema(summary="SLA plans"),
    retrieve=extend_schema(summary="An SLA plan"),
    create=extend_schema(summary="Create and publish an SLA plan (SLA managers)"),
    update=extend_schema(summary="Replace and publish an SLA plan (SLA managers)"),
    partial_update=extend_schema(summary="Change and publish an SLA plan (SLA managers)"),
)
class SlaPlanViewSet(_SlaResource):
    """Plans are never deleted (tickets keep their versions): set `active` to false instead."""

    serializer_class = s.SlaPlanSerializer
    queryset = SlaPlan.objects.select_related("current_version").prefetch_related("targets")
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def _fresh(self, plan: SlaPlan) -> Response:
        plan = self.get_queryset().get(pk=plan.pk)
        return Response(self.get_serializer(plan).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = serializer.save()
        response = self._fresh(plan)
        response.status_code = 201
        return response

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        return self._fresh(serializer.save())

    @extend_schema(summary="The plan's published versions, oldest first", responses=s.PlanVersionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=OldestFirst)
    def versions(self, request: Request, pk: str) -> Response:
        plan = self.get_object()
        paginator = OldestFirst()
        page = paginator.paginate_queryset(SlaPlanVersion.objects.filter(plan=plan), request, view=self)
        return paginator.get_paginated_response(s.PlanVersionSerializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="Contracts (customer managers: their organization's)"),
    retrieve=extend_schema(summary="A contract"),
    create=extend_schema(summary="Create a contract (SLA managers)"),
    update=extend_schema(summary="Replace a contract (SLA managers)"),
    partial_update=extend_schema(summary="Change a contract (SLA managers)"),
    destroy=extend_schema(summary="Delete a contract (SLA managers)"),
)
class ContractViewSet(_SlaResource):
    serializer_class = s.ContractSerializer

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        contact = perms.contact_of(request)
        if contact is not None and not contact.is_manager:  # a customer user sees no contracts
            self.permission_denied(request)

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        # The schema documents the full resource (a customer's answer just lacks `notes`).
        if getattr(self, "swagger_fake_view", False) or perms.is_agent(self.request.user):
            return s.ContractSerializer
        return s.CustomerContractSerializer

    def get_queryset(self) -> QuerySet[Contract]:
        contracts = Contract.objects.prefetch_related("categories", "covered_items")
        if perms.is_agent(self.request.user):
            return contracts
        contact = perms.contact_of(self.request)
        if contact is None or not contact.is_manager or contact.organization_id is None:
            return contracts.none()
        return contracts.filter(organization_id=contact.organization_id)

    def _fresh(self, contract: Contract) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=contract.pk)).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        response = self._fresh(serializer.save())
        response.status_code = 201
        return response

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        return self._fresh(serializer.save())


@extend_schema(
    summary="When a ticket entered at `start` would be due",
    description="Under a plan's current version (agents), or under what would measure a ticket of an organization"
    " (its contract covering all categories and items, else the default plan). Customers: their own organization"
    " only.",
    request=s.PreviewInputSerializer,
    responses=s.PreviewSerializer,
)
@api_view(["POST"])
@permission_classes([perms.IsAgentOrContact])
def sla_preview(request: Request) -> Response:
    data = s.PreviewInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    values = data.validated_data
    start = values["start"]
    if "plan" in values:
        if not perms.is_agent(request.user):
            raise Problem(403, "permission_denied", _("Customers preview their own organization's terms."))
        plan = get_object_or_404(SlaPlan, pk=values["plan"])
        version_id = plan.current_version_id
    else:
        contact = perms.contact_of(request)
        if contact is not None and contact.organization_id != values["organization"]:
            raise Problem(404, "not_found", _("Not found."))
        version_id = version_for_organization(values["organization"], start)
    version = SlaPlanVersion.objects.select_related("plan").filter(pk=version_id or 0).first()
    result = preview(version.definition, values["priority"], start) if version else None
    answer = {
        "reaction_due_at": result.reaction_due_at if result else None,
        "resolution_due_at": result.resolution_due_at if result else None,
        "plan_version": s.plan_version_ref(version),
    }
    return Response(s.PreviewSerializer(answer).data)


# The ticket's SLA: TicketViewSet.sla (views/tickets.py) calls this with the ticket the caller may see.
def ticket_sla(request: Request, ticket: Any) -> Response:
    from servicedesk.lib.clock import now
    from servicedesk.sla import engine
    from servicedesk.tickets.models import SLA_EVENT_KINDS, TicketEvent

    for_agent = bool(request.user.is_staff)
    moment = now()
    events = []
    for event in TicketEvent.objects.filter(ticket=ticket, kind__in=SLA_EVENT_KINDS).order_by("created_at", "id"):
        if not for_agent:
            event.note = ""  # the desk's own remarks
        events.append(event)
    version = SlaPlanVersion.objects.select_related("plan").filter(pk=ticket.sla_plan_id or 0).first()
    contract = Contract.objects.filter(pk=ticket.contract_id or 0).only("id", "name").first()
    answer = {
        "sla_plan": s.plan_version_ref(version),
        "contract": s.contract_ref(contract, for_agent=for_agent),
        "reaction": engine.timer_status(ticket, engine.REACTION, moment),
        "resolution": engine.timer_status(ticket, engine.RESOLUTION, moment),
        "events": events,
    }
    return Response(s.TicketSlaSerializer(answer).data)
