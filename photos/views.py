"""Gallery, uploads, and the checked view that serves a photo's files to its owner."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import TooManyFilesSent, ValidationError
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.adapters import client_address
from orders.selectors.cart import orderable_formats
from orders.selectors.catalogue import catalogue_version
from photos import direct, selectors, services
from photos.models import Album, Photo
from photos.processing import print_fit, print_formats
from photos.tiles import TILE_FIELDS, gallery_tiles
from photoshop.pagecache import cached_per_account
from privacy.access import access_record
from privacy.models import AccessLogEntry

PAGE_SIZE = 60
VARIANTS = {"original": "original", "small": "thumbnail_small", "large": "thumbnail_large"}


def _photo_json(photo: Photo) -> dict:
    return {
        "id": str(photo.id),
        "filename": photo.filename,
        "status": photo.status,
        "status_label": photo.get_status_display(),
        "review": photo.review,
        "thumbnail": reverse("photos:file", args=[photo.id, "small"]) if photo.thumbnail_small else "",
        "error": photo.get_error_display(),
    }


@never_cache
@cached_per_account
def gallery(request: HttpRequest) -> HttpResponse:
    owner = selectors.owner_for(request)
    sort = request.GET.get("sort", "newest")
    photos = selectors.photos_for(owner, sort=sort)
    album = None
    if request.GET.get("album"):
        # One album's photos; another owner's album (or a malformed id) does not exist.
        try:
            album = selectors.albums_for(owner).filter(pk=request.GET["album"]).first()
        except ValidationError:
            album = None
        if album is None:
            raise Http404
        photos = photos.filter(album=album)
    # Rows, not model instances: a tile reads these columns only (photos.tiles).
    photos = photos.select_related(None).values_list(*TILE_FIELDS, named=True)
    page = Paginator(photos, PAGE_SIZE).get_page(request.GET.get("page"))
    order_formats = orderable_formats()
    context = {
        "page": page,
        "tiles": gallery_tiles(list(page), can_order=bool(order_formats), catalogue_version=catalogue_version()),
        "albums": selectors.albums_for(owner),
        "sort": sort if sort in selectors.SORTS else "newest",
        "results": request.session.pop("photos_upload_results", []),
        "direct_upload": direct.enabled(),
        "order_formats": order_formats,
        "album": album,
    }
    return direct.allow_bucket(render(request, "photos/gallery.html", context))


def _album(request: HttpRequest, owner: selectors.Owner) -> Album | None:
    return services.album_get_or_create(owner=owner, title=request.POST.get("album", ""))


def _uploaded(photo: Photo, album: Album | None, started: datetime.datetime) -> str:
    """Return the verdict of an accepted upload; a photo already stored goes into the asked album."""
    # Ingest returns the stored photo for bytes the owner already has; a new photo
    # is inserted after ``started`` and is already in the asked album.
    known = photo.uploaded_at < started or (album is not None and photo.album_id != album.pk)
    if not known:
        return _("Uploaded.")
    if album is None:
        return _("Already in your photos.")
    previous = photo.album
    if not services.photo_album_set(photo=photo, album=album):
        return _("Already in your photos, in the album “%(album)s”.") % {"album": album.title}
    if previous is not None:
        return _("Already in your photos; moved from the album “%(old)s” to “%(album)s”.") % {
            "old": previous.title,
            "album": album.title,
        }
    return _("Already in your photos; added to the album “%(album)s”.") % {"album": album.title}


@require_POST
def presign(request: HttpRequest) -> JsonResponse:
    """Sign a browser upload straight to the private bucket (S3 only)."""
    if not direct.enabled():
        raise Http404
    owner = selectors.owner_for(request, create=True)
    try:
        size = int(request.POST.get("size", "0"))
        signed = direct.presign(
            owner=owner,
            filename=request.POST.get("filename", "photo"),
            size=size,
            content_type=request.POST.get("content_type", ""),
            address=client_address(request),
        )
    except (ValueError, ValidationError) as exc:
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else _("Invalid request.")
        return JsonResponse({"ok": False, "message": message}, status=400)
    return JsonResponse({"ok": True, **signed})


@require_POST
def complete(request: HttpRequest) -> JsonResponse:
    """Accept a photo the browser stored in the bucket, after checking the stored object."""
    if not direct.enabled():
        raise Http404
    owner = selectors.owner_for(request, create=True)
    try:
        started = timezone.now()
        album = _album(request, owner)
        photo = services.photo_ingest_direct(
            owner=owner, token=request.POST.get("token", ""), album=album, address=client_address(request)
        )
    except ValidationError as exc:
        return JsonResponse({"results": [{"ok": False, "message": " ".join(exc.messages)}]}, status=400)
    return JsonResponse({"results": [{"ok": True, "message": _uploaded(photo, album, started), **_photo_json(photo)}]})


class _MemoryFileUploadHandler(MemoryFileUploadHandler):
    """Django's in-memory upload handler, for names cleaned first (no control characters, 255 at most)."""

    def new_file(self, field_name, file_name, *args, **kwargs) -> None:
        super().new_file(field_name, services.clean_filename(file_name), *args, **kwargs)


class _TemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Django's temporary-file upload handler, the temporary file named without the uploaded name.

    Django makes the uploaded name's extension the temporary file's suffix:
    one too long for the file system, or holding a NUL byte, failed the
    whole request.
    """

    def new_file(self, field_name, file_name, *args, **kwargs) -> None:
        super().new_file(field_name, "upload", *args, **kwargs)
        self.file_name = self.file.name = services.clean_filename(file_name)


def _batch_too_large(request: HttpRequest) -> HttpResponse:
    """Answer a form with more files than one request may carry: say how many fit, store nothing."""
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
    message = ngettext(
        "Upload at most %(count)d photo at a time; choose fewer and upload the rest next.",
        "Upload at most %(count)d photos at a time; choose fewer and upload the rest next.",
        limit,
    ) % {"count": limit}
    results = [{"filename": "", "ok": False, "message": message}]
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"results": results}, status=400)
    request.session["photos_upload_results"] = results
    return redirect("photos:gallery")


@csrf_exempt  # checked below, once the form is read: the CSRF check would read it first and fail bare
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    """Accept many files at once; each gets its own verdict and one bad file loses nothing else."""
    request.upload_handlers = [_MemoryFileUploadHandler(request), _TemporaryFileUploadHandler(request)]
    try:
        request.FILES  # noqa: B018 (reads the form, whose file count Django bounds)
    except TooManyFilesSent:
        return _batch_too_large(request)
    return _upload(request)


@csrf_protect
def _upload(request: HttpRequest) -> HttpResponse:
    owner = selectors.owner_for(request, create=True)
    results = []
    try:
        album = _album(request, owner)
    except ValidationError as exc:
        album, files = None, []
        results.append({"filename": "", "ok": False, "message": " ".join(exc.messages)})
    else:
        files = request.FILES.getlist("files")
    for upload in files:
        started = timezone.now()
        try:
            photo = services.photo_ingest(
                owner=owner,
                handle=upload.file,
                filename=upload.name,
                size=upload.size,
                album=album,
                address=client_address(request),
            )
        except ValidationError as exc:
            results.append({"filename": upload.name, "ok": False, "message": " ".join(exc.messages)})
        else:
            message = _uploaded(photo, album, started)
            results.append({"filename": upload.name, "ok": True, "message": message, **_photo_json(photo)})
    if not results:
        results.append({"filename": "", "ok": False, "message": _("Choose one or more photos to upload.")})
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"results": results})
    request.session["photos_upload_results"] = results
    return redirect("photos:gallery")


def status(request: HttpRequest) -> JsonResponse:
    """Return the processing state of the asker's photos named in ``?ids=`` (for the upload page)."""
    owner = selectors.owner_for(request)
    ids = [i for i in request.GET.get("ids", "").split(",") if i][:200]
    try:
        photos = selectors.photos_for(owner).filter(pk__in=ids)
        return JsonResponse({"photos": [_photo_json(p) for p in photos]})
    except ValidationError:
        return JsonResponse({"photos": []})


@require_safe
def photo_detail(request: HttpRequest, pk) -> HttpResponse:
    """A photo large (the 1,024 px thumbnail), its print check per format, and ordering prints of it."""
    owner = selectors.owner_for(request)
    photo = Photo.objects.filter(owner.filter(), pk=pk).select_related("album").first() if owner else None
    if photo is None:
        raise Http404
    formats = print_formats()
    context = {
        "photo": photo,
        "fits": print_fit(photo.width or 0, photo.height or 0, photo.sharpness, formats=formats),
        "order_formats": orderable_formats(),
    }
    return render(request, "photos/photo_detail.html", context)


def photo_file(request: HttpRequest, pk, variant: str) -> HttpResponse:
    """Serve a photo's file to its owner or permitted staff: a short-lived signed URL, or the bytes."""
    photo = selectors.photo_visible_to(request, pk)
    if photo is None or variant not in VARIANTS:
        raise Http404
    field = getattr(photo, VARIANTS[variant])
    if not field:
        raise Http404
    if request.user.is_authenticated and request.user.is_staff and photo.user_id != request.user.pk:
        # Staff looking at someone's photo: logged like any staff access to personal data (PIX-9).
        action = AccessLogEntry.Action.DOWNLOAD if variant == "original" else AccessLogEntry.Action.VIEW
        access_record(staff=request.user, records=[(photo, photo.user_id)], action=action)
    if getattr(field.storage, "querystring_auth", False):
        return HttpResponseRedirect(field.storage.url(field.name))  # signed, expires in minutes
    response = FileResponse(field.open("rb"), content_type="image/jpeg" if variant != "original" else None)
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_http_methods(["GET", "POST"])
def photo_delete(request: HttpRequest, pk) -> HttpResponse:
    """Ask before deleting a photo (GET shows what goes); the confirming POST deletes it."""
    photos = selectors.photos_for(selectors.owner_for(request)).filter(pk=pk)
    photo = photos.first()
    if photo is None:
        raise Http404
    if request.method == "POST":
        services.photos_delete(photos=photos)
        messages.success(request, _("The photo has been deleted."))
        return redirect("photos:gallery")
    return render(request, "photos/confirm_delete.html", {"photo": photo, "count": 1})


@require_http_methods(["GET", "POST"])
def album_delete(request: HttpRequest, pk) -> HttpResponse:
    """Ask before deleting an album and its photos, saying how many go; the confirming POST deletes them."""
    album = get_object_or_404(selectors.albums_for(selectors.owner_for(request)), pk=pk)
    if request.method == "POST":
        count = services.album_delete(album=album)
        messages.success(
            request,
            ngettext(
                "The album and its %(count)d photo have been deleted.",
                "The album and its %(count)d photos have been deleted.",
                count,
            )
            % {"count": count},
        )
        return redirect("photos:gallery")
    return render(request, "photos/confirm_delete.html", {"album": album, "count": album.photo_total})


@login_required
def consents(request: HttpRequest) -> HttpResponse:
    """Location consent (PIX-7) and the photo-storage agreement (ALB-2), with a warning before deleting."""
    consent = services.consent_for(user=request.user)
    count = selectors.photo_count(user=request.user)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "location":
            services.location_consent_set(user=request.user, keep=request.POST.get("keep_location") == "on")
            messages.success(request, _("Your choice about locations has been saved."))
        elif action == "withdraw_storage" and request.POST.get("confirm") == "yes":
            deleted = services.storage_consent_withdraw(user=request.user)
            message = ngettext(
                "%(count)d photo has been deleted from your account.",
                "%(count)d photos have been deleted from your account.",
                deleted,
            )
            messages.success(request, message % {"count": deleted})
        elif action == "withdraw_storage":
            messages.error(request, _("Tick the box to confirm that your photos will be deleted."))
        return redirect("photos:consents")
    return render(request, "photos/consents.html", {"consent": consent, "count": count})
