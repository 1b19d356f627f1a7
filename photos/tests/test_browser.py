"""The upload page in a real browser (Debian's Chromium driven by Playwright).

Drag and drop and the file picker send one request per file, each with its
own progress bar; a bad file gets its own message and the others still
arrive; every good photo comes back as a thumbnail.
"""

from __future__ import annotations

import base64

import pytest

from photos.models import Photo
from photos.tests import images

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def _files():
    return [
        {"name": "beach.jpg", "mimeType": "image/jpeg", "buffer": images.jpeg(900, 600, seed=1)},
        {"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"this is a text file, not a photo"},
        {"name": "dog.png", "mimeType": "image/png", "buffer": images.encode(images.picture(640, 480, seed=2), "PNG")},
    ]


def _assert_results(page) -> None:
    rows = page.locator(".upload-results li")
    rows.nth(2).wait_for()
    good = page.locator(".upload-results li.success")
    bad = page.locator(".upload-results li.error")
    good.nth(1).wait_for()
    bad.first.wait_for()
    assert good.count() == 2
    assert bad.count() == 1
    assert "notes.jpg" in bad.first.inner_text()
    assert "not an image" in bad.first.inner_text().lower() or "not a photo" in bad.first.inner_text().lower()
    for i in range(2):
        assert good.nth(i).locator("progress").get_attribute("value") == "100"
        thumb = good.nth(i).locator("img.upload-thumb")
        thumb.wait_for()
        # The thumbnail really loads (the checked file view answers the owner's session).
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())
    assert sorted(Photo.objects.values_list("filename", flat=True)) == ["beach.jpg", "dog.png"]
    # When all are done, one click shows them in the gallery.
    page.click(".upload-done a")
    page.wait_for_url("**/en/photos/")
    assert page.locator(".photo-grid li.photo").count() == 2
    assert Photo.objects.filter(status=Photo.Status.READY).count() == 2


def test_picking_files_uploads_each_with_progress_and_shows_thumbnails(page):
    page.goto("/en/photos/")
    page.set_input_files("#id_files", _files())
    page.click("form.dropzone button[type=submit]")
    _assert_results(page)


def test_dropping_files_on_the_form_uploads_them(page):
    page.goto("/en/photos/")
    files = [{**f, "buffer": base64.b64encode(f["buffer"]).decode()} for f in _files()]
    page.evaluate(
        """files => {
            const transfer = new DataTransfer();
            for (const f of files) {
                const bytes = Uint8Array.from(atob(f.buffer), c => c.charCodeAt(0));
                transfer.items.add(new File([bytes], f.name, {type: f.mimeType}));
            }
            const form = document.querySelector("form.dropzone");
            form.dispatchEvent(new DragEvent("dragover", {dataTransfer: transfer, bubbles: true, cancelable: true}));
            if (!form.classList.contains("dropzone--over")) throw new Error("no drop highlight");
            form.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
        }""",
        files,
    )
    _assert_results(page)
    assert "dropzone--over" not in (page.get_attribute("form.dropzone", "class") or "")


def test_without_javascript_the_form_posts_all_files_at_once(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/en/photos/")
        page.set_input_files("#id_files", _files())
        page.click("form.dropzone button[type=submit]")
        page.wait_for_load_state()
        results = page.locator(".upload-results li")
        assert results.count() == 3
        assert page.locator(".upload-results li.error").count() == 1
        assert Photo.objects.count() == 2
    finally:
        context.close()


def test_with_s3_the_browser_uploads_straight_to_the_bucket(page, s3_storage):
    """Presigned POST from the page to the bucket (moto on loopback), then the server checks the object."""
    client, bucket = s3_storage
    client.put_bucket_cors(
        Bucket=bucket,
        CORSConfiguration={
            "CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["POST", "GET"], "AllowedHeaders": ["*"]}]
        },
    )
    bucket_posts = []
    page.on("request", lambda r: bucket_posts.append(r.url) if r.method == "POST" and bucket in r.url else None)
    page.goto("/en/photos/")
    assert page.get_attribute("form.dropzone", "data-presign-url")
    page.set_input_files("#id_files", _files())
    page.click("form.dropzone button[type=submit]")
    _assert_results(page)
    assert len(bucket_posts) == 3  # every file goes to the bucket; the server refuses the one that is no image
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert not [k for k in keys if "/incoming/" in k and k not in Photo.objects.values_list("original", flat=True)]
