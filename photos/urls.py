from django.urls import path

from photos import views

app_name = "photos"

urlpatterns = [
    path("", views.gallery, name="gallery"),
    path("upload/", views.upload, name="upload"),
    path("upload/presign/", views.presign, name="presign"),
    path("upload/complete/", views.complete, name="complete"),
    path("status/", views.status, name="status"),
    path("consents/", views.consents, name="consents"),
    path("<uuid:pk>/", views.photo_detail, name="detail"),
    path("<uuid:pk>/delete/", views.photo_delete, name="delete"),
    path("<uuid:pk>/<str:variant>/", views.photo_file, name="file"),
    path("albums/<uuid:pk>/delete/", views.album_delete, name="album_delete"),
]
