from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("addresses/", views.address_list, name="addresses"),
    path("addresses/new/", views.address_create, name="address_create"),
    path("addresses/<uuid:pk>/", views.address_edit, name="address_edit"),
    path("addresses/<uuid:pk>/delete/", views.address_delete, name="address_delete"),
    path("preferences/", views.preferences, name="preferences"),
    path("close/", views.account_delete, name="delete"),
    path("close/confirm/<str:token>/", views.account_delete_confirm, name="delete_confirm"),
]
