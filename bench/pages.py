"""Benchmark the shop's pages under gunicorn against a hello-world view of the same project.

    python bench/pages.py            # 3 rounds of 5 s per page, 1,000,000 orders for the admin list
    python bench/pages.py --quick    # 2 rounds of 2 s per page, 100,000 orders
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/photoshop_bench_pages python bench/pages.py

It builds a throwaway database (a SQLite file in a temporary folder, or the
PostgreSQL database named in DATABASE_URL, dropped and created again), the
demo catalogue and accounts, a shopper with 200 photos, 50 orders and a cart,
and the orders for the admin list; collects the static files; and starts
gunicorn on loopback with the production settings and 2 workers (the only
difference is ``bench/pages_settings.py``'s URLconf, which adds a
hello-world view at ``/__hello__/`` behind the same middleware). A bounded
load generator (wrk when installed, ``apt-get install wrk``; a small threaded
client otherwise) then measures each page and the hello-world view in turns,
in the same run, with the same number of connections; ``ratio`` is the page's
requests per second over hello-world's in the same round (median of the
rounds). Requests come as through the HTTPS proxy (``X-Forwarded-Proto``);
signed-in pages carry a session cookie made for the shopper. On SQLite the
benchmark also checks that no page view wrote to the database (the
write-ahead log stays empty). The admin order list is timed on its own,
one request at a time, as the superuser. The last line is one JSON object.

Redis must run on loopback (CACHE_URL, ``redis://127.0.0.1:6379/14`` by
default): production refuses a per-process cache. The run's keys carry their
own prefix and are removed at the end. Other settings come from the
environment as in a deployment, e.g. ``CONN_MAX_AGE=60`` for persistent
database connections (the settings' default, 0, opens one per request).
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import random
import re
import secrets
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
HOST = "shop.example"
PHOTOS = 200
ORDERS = 50
CONNECTIONS = 4
TARGET_ANONYMOUS = 0.4
TARGET_SIGNED_IN = 0.25
TARGET_ADMIN_MS = 300.0


def say(message: str) -> None:
    print(message, flush=True)


# ---------------------------------------------------------------- environment


def prepare_environment(workdir: Path, *, orders: int) -> str:
    """Set the production settings' environment for this process and gunicorn; return the database URL."""
    for name in list(os.environ):
        if name.startswith(("DJANGO_", "CELERY_", "AWS_")):
            del os.environ[name]
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        head, _sep, name = url.rpartition("/")
        if name in ("", "postgres"):
            name = "photoshop_bench_pages"
        url = f"{head}/{name}"
        import psycopg

        with psycopg.connect(f"{head}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="pages_settings",
        DATABASE_URL=url,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        CACHE_URL=os.environ.get("CACHE_URL") or "redis://127.0.0.1:6379/14",
        BENCH_CACHE_PREFIX=f"bench-pages-{os.getpid()}-{secrets.token_hex(4)}",
        BENCH_STATIC_ROOT=str(workdir / "static"),
        MEDIA_ROOT=str(workdir / "media"),
        ARCHIVE_ROOT=str(workdir / "archive"),
        LOG_LEVEL="WARNING",
    )
    for path in (str(ROOT), str(BENCH)):
        if path not in sys.path:
            sys.path.insert(0, path)
    return url


def setup_django() -> None:
    import django

    django.setup()


# ---------------------------------------------------------------- population


@dataclass
class Page:
    name: str
    path: str
    cookie: str = ""

    @property
    def signed_in(self) -> bool:
        return bool(self.cookie)


def populate(*, admin_orders: int) -> tuple[list[Page], Page | None]:
    """Fill the database; return the pages to measure and the admin order list (None until it exists)."""
    from django.core.management import call_command
    from django.test import Client
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from accounts.demo import SHOPPER_EMAIL, seed_accounts
    from accounts.models import User

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    say(f"database migrated ({time.perf_counter() - started:.0f} s)")
    started = time.perf_counter()
    call_command("collectstatic", interactive=False, verbosity=0)
    say(f"static files collected ({time.perf_counter() - started:.0f} s)")

    seed_accounts()
    shopper = User.objects.get(email=SHOPPER_EMAIL)
    admin = User.objects.get(is_superuser=True)
    products = 0
    try:
        from orders.demo import seed_catalogue

        products = seed_catalogue()
    except ImportError:
        pass
    say(f"demo accounts and {products} products")

    from photos.tests.factories import PhotoFactory

    started = time.perf_counter()
    photos = PhotoFactory.create_batch(PHOTOS, user=shopper, width_px=96, height_px=72)
    say(f"shopper's {PHOTOS} photos ({time.perf_counter() - started:.0f} s)")

    def url(name: str, **kwargs) -> str | None:
        try:
            return reverse(name, kwargs=kwargs or None)
        except NoReverseMatch:
            return None

    order_list = url("orders:order_list")
    if order_list:
        populate_shopper_orders(shopper, photos)
    cart_url = url("orders:cart")
    if cart_url:
        populate_cart(shopper, photos)

    # The one write a day of the activity stamp is done before the run.
    User.objects.filter(pk__in=[shopper.pk, admin.pk]).update(last_activity=timezone.now())

    def cookie(user) -> str:
        client = Client()
        client.force_login(user)
        from django.conf import settings

        return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"

    shopper_cookie = cookie(shopper)
    pages = [Page("home", reverse("home"))]
    catalogue_url = url("orders:catalogue")
    if catalogue_url:
        pages.append(Page("catalogue", catalogue_url))
        from orders.models import Product

        product = Product.objects.filter(is_active=True).order_by("position", "pk").first()
        if product is not None:
            pages.append(Page("product", reverse("orders:product", kwargs={"slug": product.slug})))
    if cart_url:
        pages.append(Page("cart", cart_url, shopper_cookie))
    pages.append(Page("privacy_policy", reverse("privacy:policy")))
    pages.append(Page("login", reverse("account_login")))
    pages.append(Page("gallery", reverse("photos:gallery"), shopper_cookie))
    if order_list:
        pages.append(Page("order_history", order_list, shopper_cookie))
    pages.append(Page("profile", reverse("accounts:profile"), shopper_cookie))
    expected = {"catalogue": catalogue_url, "cart": cart_url, "order_history": order_list}
    missing = [name for name, found in expected.items() if not found]
    if missing:
        say(f"not in the site yet, left out: {', '.join(missing)}")

    admin_page = None
    admin_list = url("admin:orders_order_changelist")
    if admin_list:
        populate_admin_orders(admin_orders)
        admin_page = Page("admin_orders", admin_list, cookie(admin))
    else:
        say("the admin order list is not in the site yet: left out")
    return pages, admin_page


def populate_shopper_orders(shopper, photos) -> None:
    """The shopper's 50 orders, over two years, each with two lines of their photos."""
    from orders.models import Format, OrderStatus, ShippingMethod
    from orders.tests.factories import OrderFactory, OrderLineFactory

    formats = list(Format.objects.filter(is_active=True)[:3])
    method = ShippingMethod.objects.filter(is_active=True).first()
    now = datetime.datetime.now(datetime.UTC)
    statuses = list(OrderStatus.values)
    rng = random.Random(50)
    for n in range(ORDERS):
        order = OrderFactory(
            user=shopper,
            number=f"PS-BENCH-{n:05d}",
            shipping_method=method,
            status=statuses[n % len(statuses)],
            placed_at=now - datetime.timedelta(days=n * 14, hours=rng.randrange(24)),
            items_cents=2 * 35,
            total_cents=2 * 35 + method.price_cents,
        )
        for position in (1, 2):
            OrderLineFactory(
                order=order,
                position=position,
                format=formats[position % len(formats)],
                photo=photos[(2 * n + position) % len(photos)],
            )
    say(f"shopper's {ORDERS} orders")


def populate_cart(shopper, photos) -> None:
    """Five lines in the shopper's cart, on the formats on sale."""
    from orders.models import Format
    from orders.tests.factories import CartFactory, CartLineFactory

    formats = list(Format.objects.filter(is_active=True, product__is_active=True)[:3])
    cart = CartFactory(user=shopper)
    for n in range(5):
        CartLineFactory(cart=cart, photo=photos[n], format=formats[n % len(formats)], quantity=1 + n % 3)
    say("shopper's cart: 5 lines")


def populate_admin_orders(count: int) -> None:
    """``count`` orders from 2,000 customers (one in ten a guest) over three years, with bulk_create."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from accounts.models import User
    from orders.models import Order, OrderStatus, ShippingMethod

    started = time.perf_counter()
    password = make_password(None)
    users = User.objects.bulk_create(
        [User(email=f"customer{n}@bench.example", password=password) for n in range(2000)], batch_size=1000
    )
    user_ids = list(User.objects.filter(email__endswith="@bench.example").values_list("pk", flat=True))
    del users
    method = ShippingMethod.objects.filter(is_active=True).first()
    statuses = OrderStatus.values
    rng = random.Random(1)
    now = datetime.datetime.now(datetime.UTC)
    span = 3 * 365 * 24 * 3600
    batch = 5000
    for start in range(0, count, batch):
        rows = []
        for n in range(start, min(start + batch, count)):
            user_id = user_ids[n % len(user_ids)] if n % 10 else None
            items = 35 * rng.randrange(1, 40)
            status = statuses[rng.randrange(len(statuses))]
            rows.append(
                Order(
                    number=f"PS-{n:09d}",
                    user_id=user_id,
                    status=status,
                    email=f"customer{n % 2000}@bench.example" if user_id else f"guest{n}@bench.example",
                    ship_name="Emma Janssens",
                    ship_street="Kerkstraat 1",
                    ship_postal_code="9000",
                    ship_city="Gent",
                    ship_country="BE",
                    shipping_method_id=method.pk,
                    shipping_name=method.name_en,
                    shipping_cents=method.price_cents,
                    shipping_vat_bp=2100,
                    items_cents=items,
                    total_cents=items + method.price_cents,
                    placed_at=now - datetime.timedelta(seconds=rng.randrange(span)),
                )
            )
        with transaction.atomic():
            Order.objects.bulk_create(rows, batch_size=1000)
        done = min(start + batch, count)
        if done % 100_000 == 0 or done == count:
            say(f"  admin list: {done:,} orders ({time.perf_counter() - started:.0f} s)")


# ---------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(workdir: Path, port: int) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "photoshop.wsgi:application",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--pythonpath",
        f"{ROOT},{BENCH}",
        "--error-logfile",
        str(workdir / "gunicorn.log"),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped: {(workdir / 'gunicorn.log').read_text()[-2000:]}")
        try:
            if get(port, Page("hello", "/__hello__/"))[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


def headers(page: Page) -> dict[str, str]:
    out = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.10", "Accept": "text/html"}
    if page.cookie:
        out["Cookie"] = page.cookie
    return out


def get(port: int, page: Page) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", page.path, headers=headers(page))
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# ---------------------------------------------------------------- load


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float


def run_wrk(port: int, page: Page, seconds: int, connections: int) -> Result:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in headers(page).items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, f"http://127.0.0.1:{port}{page.path}"], capture_output=True, text=True).stdout
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: .*timeout (\d+)", out)
    if bad or (errors and int(errors.group(1))):
        raise SystemExit(f"{page.name}: failed requests under load:\n{out}")

    def ms(label: str) -> float:
        value, unit = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return Result(rps, ms("50"), ms("99"))


def run_threads(port: int, page: Page, seconds: int, connections: int) -> Result:
    """A bounded closed-loop client: ``connections`` threads, each one request at a time, for ``seconds``."""
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker() -> None:
        mine, bad = [], []
        while time.perf_counter() < stop:
            started = time.perf_counter()
            status, _body = get(port, page)
            mine.append(time.perf_counter() - started)
            if status != 200:
                bad.append(status)
        with lock:
            latencies.extend(mine)
            failures.extend(bad)

    began = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if failures:
        raise SystemExit(f"{page.name}: {len(failures)} failed requests under load (status {failures[0]})")
    latencies.sort()
    return Result(
        len(latencies) / elapsed,
        latencies[len(latencies) // 2] * 1000,
        latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    )


# ---------------------------------------------------------------- database writes


def wal_path(url: str) -> Path | None:
    return Path(url.removeprefix("sqlite:///") + "-wal") if url.startswith("sqlite") else None


def checkpoint(url: str) -> None:
    """Empty SQLite's write-ahead log: a page view that writes makes it grow again."""
    conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 rounds of 2 s per page, 100,000 orders")
    parser.add_argument("--seconds", type=int, help="seconds per page and round (5; 2 with --quick)")
    parser.add_argument("--rounds", type=int, help="rounds over all pages (3; 2 with --quick)")
    parser.add_argument("--orders", type=int, help="orders in the admin list (1,000,000; 100,000 with --quick)")
    parser.add_argument("--connections", type=int, default=CONNECTIONS, help="concurrent connections (4)")
    parser.add_argument("--threads", action="store_true", help="use the threaded client even if wrk is installed")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, logs)")
    args = parser.parse_args()
    seconds = args.seconds or (2 if args.quick else 5)
    rounds = args.rounds or (2 if args.quick else 3)
    admin_orders = args.orders if args.orders is not None else (100_000 if args.quick else 1_000_000)
    use_wrk = shutil.which("wrk") is not None and not args.threads
    load = run_wrk if use_wrk else run_threads

    workdir = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    server = None
    url = prepare_environment(workdir, orders=admin_orders)
    try:
        setup_django()
        say(
            f"database: {url.split('@')[-1]}; load: {'wrk' if use_wrk else 'threaded client'}, "
            f"{args.connections} connections, {rounds} rounds of {seconds} s per page"
        )
        pages, admin_page = populate(admin_orders=admin_orders)
        from django.db import connections

        connections.close_all()

        port = free_port()
        server = start_gunicorn(workdir, port)
        hello = Page("hello", "/__hello__/")
        for page in [hello, *pages] + ([admin_page] if admin_page else []):
            status, body = get(port, page)
            if status != 200:
                log = (workdir / "gunicorn.log").read_text()[-3000:]
                raise SystemExit(f"{page.name} ({page.path}) answered {status}:\n{body[:500]!r}\n{log}")
        for page in [hello, *pages]:  # warm up each worker's caches and templates
            load(port, page, 1, args.connections)

        wal = wal_path(url)
        writes: set[str] = set()
        hello_runs: list[float] = []
        runs: dict[str, list[Result]] = {p.name: [] for p in pages}
        ratios: dict[str, list[float]] = {p.name: [] for p in pages}
        for round_no in range(1, rounds + 1):
            base = load(port, hello, seconds, args.connections)
            hello_runs.append(base.rps)
            say(f"round {round_no}: hello-world {base.rps:7.0f} req/s  p50 {base.p50_ms:6.1f} ms")
            for page in pages:
                if wal:
                    checkpoint(url)
                result = load(port, page, seconds, args.connections)
                if wal and wal.exists() and wal.stat().st_size > 0:
                    writes.add(page.name)
                runs[page.name].append(result)
                ratios[page.name].append(result.rps / base.rps)
                say(
                    f"round {round_no}: {page.name:<15}{result.rps:7.0f} req/s  p50 {result.p50_ms:6.1f} ms  "
                    f"p99 {result.p99_ms:6.1f} ms  ratio {result.rps / base.rps:.2f}"
                    + ("  WROTE TO THE DATABASE" if page.name in writes else "")
                )

        admin_p50 = None
        if admin_page is not None:
            get(port, admin_page)  # warm up
            times = []
            for _ in range(10 if args.quick else 20):
                started = time.perf_counter()
                status, _body = get(port, admin_page)
                times.append((time.perf_counter() - started) * 1000)
            admin_p50 = statistics.median(times)
            say(f"admin order list on {admin_orders:,} orders: p50 {admin_p50:.0f} ms, max {max(times):.0f} ms")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        cleanup(url, keep=args.keep, workdir=workdir)

    summary = {}
    say("")
    say(f"{'page':<16}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>7}  signed in  target")
    for page in pages:
        ratio = statistics.median(ratios[page.name])
        target = TARGET_SIGNED_IN if page.signed_in else TARGET_ANONYMOUS
        summary[page.name] = {
            "rps": round(statistics.median(r.rps for r in runs[page.name]), 1),
            "p50_ms": round(statistics.median(r.p50_ms for r in runs[page.name]), 2),
            "p99_ms": round(statistics.median(r.p99_ms for r in runs[page.name]), 2),
            "ratio": round(ratio, 3),
            "signed_in": page.signed_in,
        }
        row = summary[page.name]
        say(
            f"{page.name:<16}{row['rps']:>8.0f}{row['p50_ms']:>9.1f}{row['p99_ms']:>9.1f}{ratio:>7.2f}  "
            f"{'yes' if page.signed_in else 'no ':<9}  ≥ {target} {'ok' if ratio >= target else 'MISSED'}"
        )
    hello_rps = statistics.median(hello_runs)
    say(f"hello-world: {hello_rps:.0f} req/s (median of {rounds} rounds)")
    if writes:
        say(f"pages that wrote to the database: {', '.join(sorted(writes))}")
    met = all(
        row["ratio"] >= (TARGET_SIGNED_IN if row["signed_in"] else TARGET_ANONYMOUS) for row in summary.values()
    ) and (admin_p50 is None or admin_p50 < TARGET_ADMIN_MS)
    print(
        json.dumps(
            {
                "benchmark": "pages",
                "hello_rps": round(hello_rps, 1),
                "pages": summary,
                "admin_orders_p50_ms": round(admin_p50, 1) if admin_p50 is not None else None,
                "admin_orders": admin_orders if admin_p50 is not None else 0,
                "pages_writing_db": sorted(writes),
                "targets_met": met and not writes,
            }
        )
    )


def cleanup(url: str, *, keep: bool, workdir: Path) -> None:
    """Remove the run's cache keys, and its database and folder unless asked to keep them."""
    try:
        import redis

        client = redis.Redis.from_url(os.environ["CACHE_URL"])
        prefix = os.environ["BENCH_CACHE_PREFIX"]
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    except Exception as error:  # a failed clean-up must not hide the figures
        say(f"(cache keys not removed: {error})")
    if keep:
        say(f"kept: {workdir}")
        return
    shutil.rmtree(workdir, ignore_errors=True)
    if url.startswith("postgres"):
        import psycopg

        head, _sep, name = url.rpartition("/")
        from django.db import connections

        connections.close_all()
        with psycopg.connect(f"{head}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
