"""The outbox in the admin: tasks waiting for the broker, for whoever runs the platform (superusers)."""

from django.contrib import admin

from photoshop.models import OutboxMessage
from privacy.admin import ReadOnlyAdmin


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("id", "task", "args", "created_at", "attempts", "last_error")
    list_filter = ("task",)
    date_hierarchy = "created_at"
    ordering = ("id",)
