"""The project's own tables: the task outbox (``photoshop.outbox``)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """A task to hand to the broker, written in the transaction of the change it follows.

    Deleted once the broker has taken it; while the broker is down it waits
    here and the relay (``photoshop.outbox_relay``, every minute) sends it when
    the broker is back. It holds ids only (an order, a photo), never personal data.
    """

    task = models.CharField(_("task"), max_length=100)
    args = models.JSONField(_("arguments"), default=list)
    kwargs = models.JSONField(_("keyword arguments"), default=dict)
    created_at = models.DateTimeField(_("written at"), default=timezone.now, db_index=True)
    attempts = models.PositiveIntegerField(_("attempts to send"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("queued task")
        verbose_name_plural = _("queued tasks")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.task} {self.args}"
