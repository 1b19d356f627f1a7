from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.policy_page, name="policy"),
    path("v<int:number>/", views.policy_version, name="policy_version"),
    path("my-data/", views.my_data, name="my_data"),
    path("my-data/download/<str:token>/", views.export_download, name="export_download"),
]
