"""Views of the shop, one module per area; each module has its own ``urlpatterns``."""
