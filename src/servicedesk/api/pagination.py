"""Cursor pagination: stable pages over a list that changes while it is read, and no COUNT over 100,000 rows."""

from rest_framework.pagination import CursorPagination


class NewestFirst(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-created_at", "-id")


class OldestFirst(CursorPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("created_at", "id")


class ByName(CursorPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("id",)
