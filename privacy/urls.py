from django.urls import path

from privacy import cookie_views, dsar_views, views

app_name = "privacy"

urlpatterns = [
    path("", views.policy_page, name="policy"),
    path("v<int:number>/", views.policy_version, name="policy_version"),
    path("cookies/", cookie_views.cookie_page, name="cookies"),
    path("cookies/choice/", cookie_views.cookie_choice, name="cookie_choice"),
    path("request/", dsar_views.request_form, name="request"),
    path("request/sent/", dsar_views.request_sent, name="request_sent"),
    path("request/confirm/<str:token>/", dsar_views.request_confirm, name="request_confirm"),
    path("my-data/", views.my_data, name="my_data"),
    path("my-data/download/<str:token>/", views.export_download, name="export_download"),
]
