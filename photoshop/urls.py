from allauth.account import views as allauth_views
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from accounts import views as accounts_views
from orders.views.webhooks import stripe_webhook
from photoshop import views
from photoshop.pagecache import cached_for_visitors
from privacy import views as privacy_views

admin.site.site_header = format_lazy(_("{site_name} administration"), site_name=settings.SITE_NAME)
admin.site.site_title = settings.SITE_NAME

urlpatterns = [
    # Every login, staff included, goes through allauth so that the second
    # factor is asked; the admin's own password form is never shown.
    path("admin/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path(
        "admin/privacy/records-of-processing.<str:fmt>",
        privacy_views.records_of_processing,
        name="privacy_records_of_processing",
    ),
    path("admin/", admin.site.urls),
    # Signed by Stripe, not in any language.
    path("payments/stripe/webhook/", stripe_webhook, name="stripe_webhook"),
    # Our own switcher: Django's returns to the old language from a prefixed page.
    path("i18n/setlang/", views.set_language, name="set_language"),
    # A microsite's colours and logo: the same in every language.
    path("", include("microsites.urls")),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("contact/", accounts_views.contact, name="contact"),
    path("contact/sent/", accounts_views.contact_sent, name="contact_sent"),
    path("accounts/", include("accounts.urls")),
    # allauth's sign-in page, kept rendered for visitors (photoshop.pagecache).
    path("accounts/login/", cached_for_visitors(allauth_views.login), name="account_login"),
    path("accounts/", include("allauth.urls")),
    path("privacy/", include("privacy.urls")),
    path("photos/", include("photos.urls")),
    path("shop/", include("promotions.urls")),
    path("shop/", include("orders.urls")),
    path("portal/", include("promotions.portal")),
    prefix_default_language=False,
)
