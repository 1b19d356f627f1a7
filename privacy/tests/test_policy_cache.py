"""The policy page is built once per policy version and language, not on every request."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from photoshop import pagecache
from privacy import policy
from privacy.models import PolicyVersion


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/privacy/", "/fr/privacy/", "/en/privacy/"])
def test_policy_page_runs_no_query_once_published(client, path, django_assert_num_queries):
    client.get(path)  # publishes version 1
    client.get(path)  # reads the list of versions into the shared cache
    with django_assert_num_queries(0):  # the list of versions is in the shared cache; no write
        response = client.get(path)
    assert response.status_code == 200
    assert "<h1>" in response.content.decode()
    cache.delete(policy.PUBLISHED_CACHE_KEY)  # evicted, or another process's Redis restarted
    pagecache.forget_all()  # and the page kept for visitors (photoshop.pagecache) with it
    with django_assert_num_queries(1):
        assert "<h1>" in client.get(path).content.decode()


@pytest.mark.django_db
def test_earlier_version_page_runs_no_query_once_rendered(client, settings, django_assert_num_queries):
    client.get("/en/privacy/")
    settings.PRIVACY_RETENTION_OVERRIDES = {"SMP-1": {"period": {"hours": 12}}}
    client.get("/en/privacy/")  # publishes version 2
    url = reverse("privacy:policy_version", args=[1])
    client.get(url)
    client.get(url)
    with django_assert_num_queries(0):
        response = client.get(url)
    assert "This is an earlier version." in response.content.decode()


@pytest.mark.django_db
def test_policy_document_is_not_rebuilt_on_every_request(client, settings, monkeypatch):
    built = []
    real_build = policy.build_document

    def counting_build():
        built.append(1)
        return real_build()

    monkeypatch.setattr(policy, "build_document", counting_build)
    settings.PRIVACY_SWEEP_INTERVAL_MINUTES = 30  # a state no other test left behind
    for _ in range(3):
        client.get("/en/privacy/")
    assert len(built) == 1
    settings.PRIVACY_SWEEP_INTERVAL_MINUTES = 15
    client.get("/en/privacy/")
    assert len(built) == 2


@pytest.mark.django_db
def test_policy_page_changes_when_a_new_version_is_published(client, settings):
    before = client.get("/en/privacy/").content.decode()
    assert "Deleted 24 hours after the end of your visit" in before  # SMP-1
    assert "Earlier versions" not in before

    settings.PRIVACY_RETENTION_OVERRIDES = {"SMP-1": {"period": {"hours": 12}}}
    response = client.get("/en/privacy/")
    after = response.content.decode()
    assert response.context["version"].number == 2
    assert "Version 2, published" in after
    assert "Deleted 12 hours after the end of your visit" in after
    assert "Deleted 24 hours after the end of your visit" not in after
    assert "Earlier versions" in after
    assert reverse("privacy:policy_version", args=[1]) in after

    # Each language has its own rendering of the new version.
    dutch = client.get("/privacy/").content.decode()
    assert "Versie 2" in dutch
    assert "Deleted 12 hours" not in dutch


@pytest.mark.django_db
def test_a_version_published_by_another_process_shows_at_once(client, settings):
    client.get("/en/privacy/")
    # Another process runs with another schedule and publishes its version...
    settings.PRIVACY_RETENTION_OVERRIDES = {"SMP-1": {"period": {"hours": 12}}}
    policy.current_version()
    # ...this process still has the schedule of version 1 and publishes it again, as the version in force.
    settings.PRIVACY_RETENTION_OVERRIDES = {}
    page = client.get("/en/privacy/")
    assert page.context["version"].number == 3
    assert sorted(v.number for v in page.context["versions"]) == [1, 2]


@pytest.mark.django_db
def test_a_version_saved_anywhere_clears_the_cached_list(client, settings):
    first = client.get("/en/privacy/").context["version"]
    assert [v.number for v in policy.published_versions()] == [first.number]
    # Saved outside current_version() (a data migration, the shell): the list is read again.
    PolicyVersion.objects.create(
        number=first.number + 1, published_at=first.published_at, digest="0" * 64, document=first.document
    )
    assert [v.number for v in policy.published_versions()] == [first.number + 1, first.number]
    # Its digest is not the one in force: the page publishes the version in force again, after it.
    assert client.get("/en/privacy/").context["version"].number == first.number + 2
