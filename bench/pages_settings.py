"""Settings of ``bench/pages.py``'s gunicorn: the production settings, with the benchmark's URLconf.

Only two things differ from production: the URLconf (the site's URLs plus a
hello-world view, ``pages_urls``), and static files collected into the run's
own folder. Everything else (DEBUG off, middleware, templates, the shared
Redis cache, HTTPS behind a proxy) is what a deployment runs.
"""

import os

from photoshop.settings.production import *  # noqa: F403
from photoshop.settings.production import CACHES

ROOT_URLCONF = "pages_urls"
STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
# One run's cache keys apart from everything else in the shared Redis (removed at the end).
CACHES["default"]["KEY_PREFIX"] = os.environ.get("BENCH_CACHE_PREFIX", "bench-pages")
