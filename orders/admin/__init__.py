"""Admin of the shop, one module per area (imported here so that admin autodiscovery finds them)."""

from orders.admin import (
    catalogue,  # noqa: F401
    lab,  # noqa: F401
    orders,  # noqa: F401
)
