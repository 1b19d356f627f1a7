"""Admin of the shop, one module per area (imported here so that admin autodiscovery finds them)."""

from orders.admin import orders  # noqa: F401
