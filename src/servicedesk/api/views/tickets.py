"""/api/v1/tickets/: read through Ticket.objects.visible_to, write through tickets/actions.py.

Tickets are addressed by their number (e.g. `2026-000123`), as on the desk, the portal and in e-mails."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from servicedesk.api import permissions as perms
from servicedesk.api.idempotency import IdempotentMixin
from servicedesk.api.pagination import NewestFirst, OldestFirst
from servicedesk.api.serializers import tickets as s
from servicedesk.api.serializers.sla import TicketSlaSerializer
from servicedesk.api.views.sla import ticket_sla
from servicedesk.tickets import actions
from servicedesk.tickets.files import UploadedFile
from servicedesk.tickets.models import Article, ArticleKind, Attachment, Channel, Ticket, TicketEvent
from servicedesk.tickets.search import filter_tickets
from servicedesk.tickets.states import State

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Retries with the same key and body within 24 hours return the first answer.",
)
# Lookups on the list's filter parameters.
FILTER_LOOKUPS = {
    "state": "state",
    "priority": "priority",
    "team": "team_id",
    "organization": "organization_id",
    "type": "type",
    "category": "category_id",
    "channel": "channel",
}
AGENT_ONLY_ACTIONS = frozenset({"partial_update", "assign", "escalate", "note", "worklog", "merge", "link"})
NO_REPLY_STATES = frozenset({State.CLOSED, State.CANCELLED})


@extend_schema_view(
    list=extend_schema(summary="List tickets", parameters=[s.TicketFilterSerializer]),
    retrieve=extend_schema(summary="A ticket"),
    create=extend_schema(
        summary="Open a ticket",
        request=s.TicketCreateSerializer,
        responses={201: s.TicketSerializer},
        parameters=[IDEMPOTENCY_HEADER],
    ),
    partial_update=extend_schema(
        summary="Change editable fields (agents)", request=s.TicketUpdateSerializer, responses=s.TicketSerializer
    ),
)
class TicketViewSet(
    IdempotentMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Ticket],
):
    """Tickets the caller may see: agents every ticket, a customer manager their organization's, a customer user
    those they requested or are copied on (the portal's rules). Another organization's ticket is a 404."""

    serializer_class = s.TicketSerializer
    permission_classes = [perms.IsAgentOrContact]
    pagination_class = NewestFirst
    lookup_field = "number"
    lookup_value_regex = s.NUMBER_PATTERN
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_permissions(self) -> list[Any]:
        if self.action in AGENT_ONLY_ACTIONS:
            return [perms.IsAgent()]
        return super().get_permissions()

    def get_queryset(self) -> QuerySet[Ticket]:
        # sla_plan__plan and contract: the SLA fields of every row, in the same query.
        return Ticket.objects.visible_to(self.request.user).select_related("sla_plan__plan", "contract")

    def filter_queryset(self, queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
        if self.action != "list":
            return queryset
        params = s.TicketFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        filters = params.validated_data
        for name, lookup in FILTER_LOOKUPS.items():
            if name in filters:
                queryset = queryset.filter(**{lookup: filters[name]})
        if "agent" in filters:
            agent = filters["agent"]
            queryset = (
                queryset.filter(assigned_to__isnull=True)
                if agent == "none"
                else queryset.filter(assigned_to_id=int(agent))
            )
        if filters.get("q", "").strip():
            queryset = filter_tickets(queryset, filters["q"], user=self.request.user)
        return queryset

    def _ticket(self) -> Ticket:
        return self.get_object()  # type: ignore[no-any-return]

    def _other(self, number: str) -> Ticket:
        return get_object_or_404(self.get_queryset(), number=number)

    def _answer(self, ticket: Ticket, code: int = status.HTTP_200_OK) -> Response:
        ticket = get_object_or_404(self.get_queryset(), pk=ticket.pk)  # fresh, as the caller sees it
        return Response(s.TicketSerializer(ticket, context=self.get_serializer_context()).data, status=code)

    def _input(self, serializer_class: type[BaseSerializer[Any]], **context: Any) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, context={**self.get_serializer_context(), **context})
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data  # type: ignore[no-any-return]

    # --- The ticket ---

    def create(self, request: Request) -> Response:
        contact = perms.contact_of(request)
        data = self._input(s.TicketCreateSerializer, contact=contact)
        if contact is not None:  # a customer files for themselves, in their own organization, from the API
            data.update(organization=contact.organization, requester=contact, channel=Channel.API, team=None)
            data.pop("tags", None)
        ticket = actions.open_ticket(actor=request.user, **data)
        return Response(s.TicketSerializer(ticket, context=self.get_serializer_context()).data, status=201)

    def partial_update(self, request: Request, number: str) -> Response:
        ticket = self._ticket()
        changes = self._input(s.TicketUpdateSerializer)
        actions.update_fields(ticket, actor=request.user, **changes)
        return self._answer(ticket)

    # --- Actions ---

    @extend_schema(summary="Assign to an agent (agents)", request=s.AssignSerializer, responses=s.TicketSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, number: str) -> Response:
        ticket = self._ticket()
        data = self._input(s.AssignSerializer)
        actions.assign(ticket, actor=request.user, agent=data["agent"])
        return self._answer(ticket)

    @extend_schema(summary="Escalate to a team (agents)", request=s.EscalateSerializer, responses=s.TicketSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, number: str) -> Response:
        ticket = self._ticket()
        data = self._input(s.EscalateSerializer)
        actions.escalate(ticket, actor=request.user, team=data["team"], reason=data["reason"], agent=data.get("agent"))
        return self._answer(ticket)

    @extend_schema(
        summary="Change the state",
        description="Customers may only confirm a resolution (`closed`) or reopen (`in_progress`).",
        request=s.TransitionSerializer,
        responses=s.TicketSerializer,
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, number: str) -> Response:
        ticket = self._ticket()
        data = self._input(s.TransitionSerializer)
        actions.transition(ticket, actor=request.user, to_state=data["state"], reason=data["reason"])
        return self._answer(ticket)

    @extend_schema(
        summary="Add a public reply",
        request=s.ArticleInputSerializer,
        responses={201: s.ArticleSerializer},
        parameters=[IDEMPOTENCY_HEADER],
    )
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, number: str) -> Response:
        ticket = self._ticket()
        data = self._input(s.ArticleInputSerializer)
        contact = perms.contact_of(request)
        if contact is not None and (ticket.merged_into_id is not None or ticket.state in NO_REPLY_STATES):
            raise actions.ActionError(str(_closed_message()))
        with transaction.atomic():
            article = actions.add_article(
                ticket,
                actor=request.user,
                author_contact=contact,
                body=data["body"],
                kind=ArticleKind.REPLY,
                channel=Channel.API,
            )
            # As on the portal: the customer answered the agent's question, so the ball is back with the desk.
            if contact is not None and ticket.state == State.WAITING_CUSTOMER:
                actions.transition(ticket, actor=request.user, to_state=State.IN_PROGRESS)
        return Response(self._article_data(article), status=201)

    @extend_schema(
        summary="Add an internal note (agents)",
        request=s.ArticleInputSerializer,
        responses={201: s.ArticleSerializer},
        parameters=[IDEMPOTENCY_HEADER],
    )
    @action(detail=True, methods=["post"])
    def note(self, request: Request, number: str) -> Response:
        ticket = self._ticket()
        data = self._input(s.ArticleInputSerializer)
        article = actions.add_article(
            ticket, actor=request.user, body=data["body"], kind=ArticleKind.NOTE, channel=Channel.API
        )
        return Response(self._article_data(article), status=201)

    def _article_data(self, article: Article) -> dict[str, Any]:
        article = (
            Article.objects.select_related("author", "author_contact")
            .prefetch_related("attachments")
            .get(pk=article.pk)
        )
        return s.ArticleSerializer(article, context=self.get_serializer_context()).data  # type: ignore[return-value]

    @extend_schema(
        summary="Log work (agents)",
        request=s.WorklogSerializer,
        responses={201: s.WorklogEntrySerializer},
        parameters=[IDEMPOTENCY_HEADER],
    )
    @action(detail=True, methods=["post"])
    def worklog(self, request: Request, number: str) -> Response:
        ticket = self._ticket()
        data = self._input(s.WorklogSerializer)
        entry = actions.log_work(ticket, actor=request.user, **data)
        return Response(s.WorklogEntrySerializer(entry).data, status=201)

    @extend_schema(
        summary="Merge into another ticket (agents)", request=s.MergeSerializer, responses=s.TicketSerializer
    )
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, number: str) -> Response:
        ticket = self._ticket()
        data = self._input(s.MergeSerializer)
        actions.merge(ticket, actor=request.user, into=self._other(data["into"]))
        return self._answer(ticket)

    @extend_schema(summary="Link to another ticket (agents)", request=s.LinkSerializer, responses=s.TicketSerializer)
    @action(detail=True, methods=["post"])
    def link(self, request: Request, number: str) -> Response:
        ticket = self._ticket()
        data = self._input(s.LinkSerializer)
        actions.link(ticket, actor=request.user, other=self._other(data["other"]), relation=data["relation"])
        return self._answer(ticket)

    # --- What is recorded on the ticket ---

    def _paged(self, queryset: QuerySet[Any], serializer_class: type[BaseSerializer[Any]]) -> Response:
        paginator = OldestFirst()
        page = paginator.paginate_queryset(queryset, self.request, view=self)
        data = serializer_class(page, many=True, context=self.get_serializer_context()).data
        return paginator.get_paginated_response(data)

    @extend_schema(summary="History events (customers: public ones only)", responses=s.EventSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=OldestFirst)
    def events(self, request: Request, number: str) -> Response:
        ticket = self._ticket()
        events = TicketEvent.objects.filter(ticket=ticket).select_related("actor")
        if not request.user.is_staff:
            events = events.filter(is_public=True)
        return self._paged(events, s.EventSerializer)

    @extend_schema(
        summary="The SLA: plan, contract, both timers' status and the SLA history (customers: without notes)",
        responses=TicketSlaSerializer,
    )
    @action(detail=True, methods=["get"])
    def sla(self, request: Request, number: str) -> Response:
        return ticket_sla(request, self._ticket())

    @extend_schema(summary="Articles (customers: public replies only)", responses=s.ArticleSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=OldestFirst)
    def articles(self, request: Request, number: str) -> Response:
        ticket = self._ticket()
        articles = (
            Article.objects.filter(ticket=ticket)
            .select_related("author", "author_contact")
            .prefetch_related("attachments")
        )
        if not request.user.is_staff:
            articles = articles.filter(kind=ArticleKind.REPLY)
        return self._paged(articles, s.ArticleSerializer)

    @extend_schema(
        methods=["GET"],
        summary="Attachments (customers: not those of internal notes)",
        responses=s.AttachmentSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Upload an attachment (multipart)",
        request={"multipart/form-data": s.AttachmentUploadSerializer},
        responses={201: s.AttachmentSerializer},
        parameters=[IDEMPOTENCY_HEADER],
    )
    @action(
        detail=True,
        methods=["get", "post"],
        pagination_class=OldestFirst,
        parser_classes=[MultiPartParser, FormParser, JSONParser],
    )
    def attachments(self, request: Request, number: str) -> Response:
        ticket = self._ticket()
        if request.method == "POST":
            return self._upload(ticket)
        attachments = Attachment.objects.filter(ticket=ticket).select_related("blob", "article")
        if not request.user.is_staff:
            attachments = attachments.exclude(article__kind=ArticleKind.NOTE)
        return self._paged(attachments, s.AttachmentSerializer)

    def _upload(self, ticket: Ticket) -> Response:
        data = self._input(s.AttachmentUploadSerializer)
        article = None
        if data.get("article") is not None:
            articles = Article.objects.filter(ticket=ticket)
            if not self.request.user.is_staff:
                articles = articles.filter(kind=ArticleKind.REPLY)
            article = get_object_or_404(articles, pk=data["article"])
        upload = UploadedFile.from_django(data["file"])
        attachment = actions.attach(ticket, actor=self.request.user, upload=upload, article=article)
        attachment = Attachment.objects.select_related("blob").get(pk=attachment.pk)
        return Response(s.AttachmentSerializer(attachment).data, status=201)


def _closed_message() -> str:
    from django.utils.translation import gettext

    return gettext("This ticket is closed. Reopen it, or report a new problem.")
