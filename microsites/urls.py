"""URLs of the microsites' own assets; their pages are the shop's (``microsites.middleware``)."""

from django.urls import path

from microsites.views import logo, style

app_name = "microsites"

urlpatterns = [
    path("microsite/<slug:slug>/style-<str:version>.css", style, name="style"),
    path("microsite/<slug:slug>/logo/<str:name>", logo, name="logo"),
]
