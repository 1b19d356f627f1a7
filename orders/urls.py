"""URLs of the shop, under the language prefix; each area's views module contributes its own patterns.

The Stripe webhook lives outside the language prefix, in ``photoshop/urls.py``.
"""

from orders.views import account, cart, catalogue, checkout, creations, invoices

app_name = "orders"

urlpatterns: list = []
urlpatterns += account.urlpatterns
urlpatterns += creations.urlpatterns
urlpatterns += cart.urlpatterns
urlpatterns += checkout.urlpatterns
urlpatterns += invoices.urlpatterns
urlpatterns += catalogue.urlpatterns  # last: its product pages take any slug
