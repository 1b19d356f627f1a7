"""The project's own tables and personal data: the task outbox holds none."""

from privacy.registry import registry

registry.not_personal(
    "photoshop.OutboxMessage",
    "tasks waiting for the broker: task names and record ids (orders, photos), no one's data",
)
