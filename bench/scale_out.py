"""Run the platform as production runs it on several machines, load it for a while, and account for everything.

    python bench/scale_out.py            # 2 minutes of load
    python bench/scale_out.py --quick    # 30 seconds

Started by this script, all on loopback: PostgreSQL (a throwaway database),
Redis (broker and shared cache, two database numbers of their own, emptied
first), S3 (moto in server mode), an SMTP server that keeps every message,
two gunicorn instances (2 workers each) behind one address (a round-robin
TCP balancer in its own process, as a load balancer in front of two
machines), two Celery workers and beat. Every process runs the production
settings; only the environment says where the parts are.

Virtual shoppers (signed-in accounts, each with its own client address)
then browse the home page, the shop and a product, upload a photo, and
every other round order it: the photo into the cart, a sponsor's promo code
(a free order, so no payment provider is involved), checkout. After the load
the script waits for the workers to finish and checks that every order is in
the database and paid, has its confirmation e-mail at the SMTP server, and
every uploaded photo is in the database, processed, and its original in S3.
The last line is one JSON object: requests, failed_requests, rps, p99_ms,
orders_placed, orders_lost, emails_lost, photos_lost (and more).

Needs PostgreSQL (127.0.0.1:5432, trust) and Redis (127.0.0.1:6379) running
and moto's server (``pip install moto[server]``); stops with a message if one
is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.header
import http.client
import json
import multiprocessing
import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "shop.example"
DB_NAME = "photoshop_bench_scale_out"
REDIS_BROKER_DB, REDIS_CACHE_DB = 10, 11
BUCKET = "photoshop-scale-out"


def say(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reachable(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def wait_for(port: int, what: str, seconds: float = 60, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"{what} stopped (exit {proc.returncode})")
        if reachable(port):
            return
        time.sleep(0.2)
    raise SystemExit(f"{what} did not listen on port {port} within {seconds:.0f} s")


# ---------------------------------------------------------------- the balancer (its own process)


def balance(listen_port: int, backends: list[int]) -> None:
    """Accept connections on ``listen_port`` and hand each to the next backend in turn (layer 4, round robin)."""

    turn = {"next": 0}

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def handle(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        port = backends[turn["next"] % len(backends)]
        turn["next"] += 1
        try:
            backend_reader, backend_writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, backend_writer), pipe(backend_reader, client_writer))

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", listen_port, backlog=512)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


# ---------------------------------------------------------------- the SMTP server (its own process)


def smtp_sink(port: int, folder: str) -> None:
    """A minimal SMTP server that writes each message it accepts to ``folder`` (one file per message)."""

    counter = {"n": 0}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async def reply(line: str) -> None:
            writer.write((line + "\r\n").encode())
            await writer.drain()

        await reply("220 sink ESMTP")
        while line := await reader.readline():
            command = line.decode(errors="replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                await reply("250 sink")
            elif command == "DATA":
                await reply("354 end with .")
                lines = []
                while (data := await reader.readline()) not in (b".\r\n", b".\n", b""):
                    lines.append(data[1:] if data.startswith(b"..") else data)
                counter["n"] += 1
                Path(folder, f"{os.getpid()}-{counter['n']:07d}.eml").write_bytes(b"".join(lines))
                await reply("250 queued")
            elif command == "QUIT":
                await reply("221 bye")
                break
            else:  # MAIL FROM, RCPT TO, RSET, NOOP
                await reply("250 ok")
        writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


# ---------------------------------------------------------------- environment, database, processes


def environment(workdir: Path, ports: dict[str, int]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", "AWS_"))}
    env.update(
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="photoshop.settings",
        PYTHONPATH=str(ROOT),
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        CONN_MAX_AGE="60",
        CACHE_URL=f"redis://127.0.0.1:6379/{REDIS_CACHE_DB}",
        CELERY_BROKER_URL=f"redis://127.0.0.1:6379/{REDIS_BROKER_DB}",
        AWS_STORAGE_BUCKET_NAME=BUCKET,
        AWS_S3_ENDPOINT_URL=f"http://127.0.0.1:{ports['s3']}",
        AWS_S3_REGION_NAME="us-east-1",
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        EMAIL_URL=f"smtp://127.0.0.1:{ports['smtp']}",
        LOG_LEVEL="WARNING",
    )
    return env


def reset_database() -> None:
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def drop_database() -> None:
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def flush_redis() -> None:
    for number in (REDIS_BROKER_DB, REDIS_CACHE_DB):
        with socket.create_connection(("127.0.0.1", 6379), timeout=5) as sock:
            sock.sendall(f"SELECT {number}\r\nFLUSHDB\r\nQUIT\r\n".encode())
            sock.recv(256)


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


@dataclass
class Shopper:
    email: str
    cookie: str
    address: str  # X-Forwarded-For: each shopper comes from its own address
    codes: list[str]
    photos: list[str] = field(default_factory=list)
    orders: list[str] = field(default_factory=list)


def populate(env: dict[str, str], shoppers: int, codes_each: int) -> tuple[list[Shopper], int, str]:
    """Catalogue, a campaign of codes and signed-in shoppers, made in this process on the run's settings."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import datetime

    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from orders.demo import seed_catalogue
    from orders.models import Format, ShippingMethod
    from promotions.models import Campaign, Code, Sponsor

    seed_catalogue()
    fmt = Format.objects.get(code="10x15", product__slug="classic-prints")
    shipping = ShippingMethod.objects.filter(country="BE", is_active=True).order_by("price_cents").first()
    sponsor = Sponsor.objects.create(slug="scale-out", name="Scale-out sponsor")
    now = timezone.now()
    campaign = Campaign.objects.create(
        sponsor=sponsor,
        name="Free prints",
        format=fmt,
        quantity=5,
        shipping_included=True,
        starts_at=now - datetime.timedelta(days=1),
        ends_at=now + datetime.timedelta(days=30),
        per_user_limit=10_000,
        review_after_accounts=None,
    )
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    all_codes = ["".join(random.choice(alphabet) for _ in range(10)) for _ in range(shoppers * codes_each)]
    Code.objects.bulk_create([Code(campaign=campaign, code=code) for code in all_codes])
    people = []
    for n in range(shoppers):
        address = f"shopper{n}@bench.example"
        user = User.objects.create_user(email=address, password=secrets.token_urlsafe(16))
        EmailAddress.objects.create(user=user, email=address, verified=True, primary=True)
        client = Client()
        client.force_login(user)
        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        people.append(
            Shopper(address, cookie, f"198.51.100.{n + 1}", all_codes[n * codes_each : (n + 1) * codes_each])
        )
    return people, fmt.pk, str(shipping.pk)


# ---------------------------------------------------------------- the load


class Load:
    def __init__(self, port: int, format_id: int, shipping_id: str, jpeg: bytes) -> None:
        self.port, self.format_id, self.shipping_id, self.jpeg = port, format_id, shipping_id, jpeg
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.failures: list[str] = []
        self.failed_at: list[float] = []

    def request(self, shopper: Shopper, method: str, path: str, body: bytes = b"", ctype: str = "", **extra):
        headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": shopper.address,
            "Cookie": shopper.cookie,
            "Connection": "close",
        }
        if method == "POST":
            headers.update({"Origin": f"https://{HOST}", "Referer": f"https://{HOST}/", "Content-Type": ctype})
        headers.update(extra)
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            conn.request(method, path, body=body or None, headers=headers)
            response = conn.getresponse()
            data = response.read()
            status, location = response.status, response.getheader("Location", "")
            for cookie in response.headers.get_all("Set-Cookie") or []:
                self._keep_cookie(shopper, cookie)
            conn.close()
        except OSError as error:
            status, data, location = 0, str(error).encode(), ""
        with self.lock:
            self.latencies.append(time.perf_counter() - started)
        return status, data, location

    @staticmethod
    def _keep_cookie(shopper: Shopper, header: str) -> None:
        name, _sep, rest = header.partition("=")
        value = rest.split(";", 1)[0]
        jar = dict(part.split("=", 1) for part in shopper.cookie.split("; ") if "=" in part)
        jar[name.strip()] = value
        shopper.cookie = "; ".join(f"{k}={v}" for k, v in jar.items())

    def fail(self, what: str) -> None:
        with self.lock:
            self.failures.append(what)
            self.failed_at.append(time.monotonic())

    def expect(self, shopper: Shopper, what: str, status: int, wanted: tuple[int, ...]) -> bool:
        if status not in wanted:
            self.fail(f"{what}: {status}")
            return False
        return True

    def token(self, shopper: Shopper, path: str) -> str | None:
        status, data, _location = self.request(shopper, "GET", path)
        if not self.expect(shopper, f"GET {path}", status, (200,)):
            return None
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', data)
        return found.group(1).decode() if found else None

    def post_form(self, shopper: Shopper, path: str, fields: dict[str, str], token: str):
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        return self.request(shopper, "POST", path, body, "application/x-www-form-urlencoded")

    def unique_jpeg(self) -> bytes:
        """The same picture with a comment segment of its own: another file to the shop (no duplicate)."""
        comment = secrets.token_hex(16).encode()
        return self.jpeg[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + self.jpeg[2:]

    def upload(self, shopper: Shopper, token: str) -> str | None:
        boundary = secrets.token_hex(12)
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'.encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="album"\r\n\r\n\r\n'.encode(),
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="holiday.jpg"\r\n'
                "Content-Type: image/jpeg\r\n\r\n"
            ).encode()
            + self.unique_jpeg()
            + b"\r\n",
            f"--{boundary}--\r\n".encode(),
        ]
        status, data, _location = self.request(
            shopper,
            "POST",
            "/photos/upload/",
            b"".join(parts),
            f"multipart/form-data; boundary={boundary}",
            Accept="application/json",
        )
        if not self.expect(shopper, "upload", status, (200,)):
            return None
        results = json.loads(data)["results"]
        if not results or not results[0].get("ok"):
            self.fail(f"upload refused: {results}")
            return None
        return results[0]["id"]

    def processed(self, shopper: Shopper, photo_id: str) -> bool:
        status, data, _location = self.request(shopper, "GET", f"/photos/status/?ids={photo_id}")
        if not self.expect(shopper, "photo status", status, (200,)):
            return False
        return any(photo["status"] == "ready" for photo in json.loads(data)["photos"])

    def order(self, shopper: Shopper, photo_id: str, token: str) -> None:
        status, _data, _loc = self.post_form(
            shopper, "/shop/cart/add/", {"photos": photo_id, "format": str(self.format_id), "quantity": "1"}, token
        )
        if not self.expect(shopper, "cart add", status, (302,)) or not shopper.codes:
            return
        code = shopper.codes.pop()
        status, _data, _loc = self.post_form(shopper, "/shop/cart/code/", {"code": code}, token)
        if not self.expect(shopper, "code", status, (302,)):
            return
        fields = {
            "shipping": self.shipping_id,
            "ship-full_name": "Bench Shopper",
            "ship-street_address": f"Kerkstraat {len(shopper.orders) + 1}",
            "ship-postal_code": "9000",
            "ship-city": "Gent",
            "ship-country": "BE",
            "email": shopper.email,
        }
        status, data, location = self.post_form(shopper, "/shop/checkout/", fields, token)
        found = re.search(r"/orders/([0-9a-f-]{36})/", location or "")
        if status != 302 or not found:
            errors = re.findall(rb'class="[^"]*error[^"]*"[^>]*>([^<]{0,200})', data)[:3]
            self.fail(f"checkout: {status} {location} {errors}")
            return
        shopper.orders.append(found.group(1))
        if location.endswith("/pay/"):  # the code should have made it free: refused on the way
            self.fail(f"checkout: not covered by the code {code}")

    def shopper_loop(self, shopper: Shopper, deadline: float, product_path: str) -> None:
        rounds = 0
        to_order: list[str] = []
        while time.monotonic() < deadline:
            for path in ("/", "/shop/", product_path):
                status, _data, _loc = self.request(shopper, "GET", path)
                self.expect(shopper, f"GET {path}", status, (200,))
            token = self.token(shopper, "/photos/")
            if token is None:
                continue
            photo_id = self.upload(shopper, token)
            if photo_id:
                shopper.photos.append(photo_id)
                if rounds % 2 == 0:
                    to_order.append(photo_id)
            # As a shopper does: order a photo once the gallery shows it processed.
            if to_order and self.processed(shopper, to_order[0]):
                self.order(shopper, to_order.pop(0), token)
            rounds += 1


# ---------------------------------------------------------------- accounting


def account(shoppers: list[Shopper], mail_folder: Path, wait_seconds: int) -> dict:
    """Wait for the workers, then check every order, e-mail and photo; return the counts."""
    from django.db import connections

    from orders.models import Order, OrderStatus
    from photos.models import Photo
    from photoshop.models import OutboxMessage

    connections.close_all()  # this process's connection may be from before a database restart

    order_ids = sorted({pk for s in shoppers for pk in s.orders})
    photo_ids = sorted({pk for s in shoppers for pk in s.photos})
    deadline = time.monotonic() + wait_seconds
    while True:
        numbers = dict(Order.objects.filter(pk__in=order_ids, status=OrderStatus.PAID).values_list("pk", "number"))
        mailed = mailed_numbers(mail_folder)
        processed = Photo.objects.filter(pk__in=photo_ids).exclude(thumbnail_small="").count()
        done = len(numbers) == len(order_ids) and set(numbers.values()) <= mailed and processed == len(photo_ids)
        if done or time.monotonic() > deadline:
            break
        time.sleep(1)
    photos = {str(pk): name for pk, name in Photo.objects.filter(pk__in=photo_ids).values_list("pk", "original")}
    stored = stored_keys()
    missing_files = [pk for pk, name in photos.items() if name not in stored]
    return {
        "orders_placed": len(order_ids),
        "orders_lost": len(order_ids) - len(numbers),
        "emails_lost": len([n for n in numbers.values() if n not in mailed]) + (len(order_ids) - len(numbers)),
        "photos_uploaded": len(photo_ids),
        "photos_lost": len(photo_ids) - len(photos) + len(missing_files),
        "photos_unprocessed": len(photo_ids) - processed,
        "outbox_left": OutboxMessage.objects.count(),
        "emails_received": len(list(mail_folder.glob("*.eml"))),
    }


def mailed_numbers(folder: Path) -> set[str]:
    found = set()
    for path in folder.glob("*.eml"):
        subject = email.message_from_bytes(path.read_bytes()).get("Subject", "")
        found.update(re.findall(r"PS-[0-9A-Z-]+", str(email.header.make_header(email.header.decode_header(subject)))))
    return found


def stored_keys() -> set[str]:
    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=os.environ["AWS_S3_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )
    keys = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        keys.update(item["Key"] for item in page.get("Contents", []))
    return keys


def restart_database() -> dict[str, float]:
    """Restart the machine's PostgreSQL cluster (fast shutdown: open connections are cut); return when."""
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    start = time.monotonic()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart", "-m", "fast"],
        check=True,
        capture_output=True,
    )
    while not reachable(5432):
        time.sleep(0.1)
    return {"start": start, "end": time.monotonic()}


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="30 seconds of load instead of 120")
    parser.add_argument("--seconds", type=int, help="seconds of load (120; 30 with --quick)")
    parser.add_argument("--shoppers", type=int, default=8, help="virtual shoppers at once (8)")
    parser.add_argument("--keep", action="store_true", help="keep the database, logs and mails")
    parser.add_argument(
        "--restart-database",
        action="store_true",
        help="restart PostgreSQL halfway through the load (pg_ctlcluster; the machine's own server)",
    )
    args = parser.parse_args()
    seconds = args.seconds or (30 if args.quick else 120)

    moto = shutil.which("moto_server") or str(Path(sys.executable).with_name("moto_server"))
    missing = [
        name
        for name, ok in (
            ("PostgreSQL on 127.0.0.1:5432", reachable(5432)),
            ("Redis on 127.0.0.1:6379", reachable(6379)),
            ("moto_server (pip install 'moto[server]')", Path(moto).exists()),
        )
        if not ok
    ]
    if missing:
        raise SystemExit("scale_out needs: " + ", ".join(missing))

    workdir = Path(tempfile.mkdtemp(prefix="bench-scale-out-"))
    mail_folder = workdir / "mail"
    mail_folder.mkdir()
    ports = {name: free_port() for name in ("s3", "smtp", "web1", "web2", "balancer")}
    env = environment(workdir, ports)
    processes: list[subprocess.Popen | multiprocessing.Process] = []
    logs = []

    def start(name: str, command: list[str]) -> subprocess.Popen:
        log = open(workdir / f"{name}.log", "w")  # noqa: SIM115 (closed at the end)
        logs.append(log)
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        processes.append(proc)
        return proc

    try:
        reset_database()
        flush_redis()
        s3 = start("s3", [moto, "-H", "127.0.0.1", "-p", str(ports["s3"])])
        wait_for(ports["s3"], "moto", proc=s3)
        import boto3

        boto3.client(
            "s3",
            endpoint_url=env["AWS_S3_ENDPOINT_URL"],
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
        ).create_bucket(Bucket=BUCKET)
        sink = multiprocessing.Process(target=smtp_sink, args=(ports["smtp"], str(mail_folder)), daemon=True)
        sink.start()
        processes.append(sink)
        started = time.perf_counter()
        manage(env, "migrate", "--verbosity=0")
        manage(env, "collectstatic", "--noinput", "--verbosity=0")
        say(f"database migrated, static files collected ({time.perf_counter() - started:.0f} s)")
        shoppers, format_id, shipping_id = populate(env, args.shoppers, codes_each=max(20, seconds))
        from django.urls import reverse

        from orders.models import Product

        product_path = reverse("orders:product", kwargs={"slug": Product.objects.filter(is_active=True).first().slug})
        say(f"{len(shoppers)} shoppers, catalogue and a campaign of codes")

        gunicorn = [sys.executable, "-m", "gunicorn", "photoshop.wsgi:application", "--workers", "2"]
        for name in ("web1", "web2"):
            start(name, [*gunicorn, "--bind", f"127.0.0.1:{ports[name]}", "--log-level", "warning"])
        celery = [sys.executable, "-m", "celery", "-A", "photoshop"]
        for n in (1, 2):
            start(f"worker{n}", [*celery, "worker", "-c", "1", "-n", f"worker{n}@%h", "--loglevel=WARNING"])
        start("beat", [*celery, "beat", "-s", str(workdir / "beat-schedule"), "--loglevel=WARNING"])
        balancer = multiprocessing.Process(target=balance, args=(ports["balancer"], [ports["web1"], ports["web2"]]))
        balancer.daemon = True
        balancer.start()
        processes.append(balancer)
        for name in ("web1", "web2", "balancer"):
            wait_for(ports[name], name)
        say("2 web servers behind one address, 2 workers, beat, S3, SMTP: up")

        from photos.tests.images import jpeg

        load = Load(ports["balancer"], format_id, shipping_id, jpeg(1800, 1200))
        say(f"load: {len(shoppers)} shoppers for {seconds} s")
        deadline = time.monotonic() + seconds
        began = time.perf_counter()
        threads = [
            threading.Thread(target=load.shopper_loop, args=(shopper, deadline, product_path)) for shopper in shoppers
        ]
        for thread in threads:
            thread.start()
        restart = {}
        if args.restart_database:
            time.sleep(seconds / 2)
            restart = restart_database()
            say(f"PostgreSQL restarted under load ({restart['end'] - restart['start']:.1f} s)")
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
        say(f"load done: {len(load.latencies)} requests in {elapsed:.0f} s; waiting for the workers")
        figures = account(shoppers, mail_folder, wait_seconds=180)
        latencies = sorted(load.latencies)
        result = {
            "benchmark": "scale_out",
            "seconds": seconds,
            "shoppers": len(shoppers),
            "requests": len(latencies),
            "failed_requests": len(load.failures),
            "rps": round(len(latencies) / elapsed, 1),
            "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
            "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1) if latencies else None,
            **figures,
        }
        if restart:
            # Requests cut off while the database was down (and the moment after) are expected to fail;
            # every other request, and every order, e-mail and photo, must still be there.
            window = (restart["start"] - 1, restart["end"] + 5)
            during = sum(1 for at in load.failed_at if window[0] <= at <= window[1])
            result["database_restart_s"] = round(restart["end"] - restart["start"], 1)
            result["failed_during_restart"] = during
            result["failed_requests"] -= during
        for failure in load.failures[:10]:
            say(f"failed: {failure}")
        say(
            f"{result['requests']} requests, {result['failed_requests']} failed, {result['rps']} req/s, "
            f"p99 {result['p99_ms']} ms; {result['orders_placed']} orders ({result['orders_lost']} lost), "
            f"{result['emails_received']} e-mails ({result['emails_lost']} lost), "
            f"{result['photos_uploaded']} photos ({result['photos_lost']} lost, "
            f"{result['photos_unprocessed']} not processed)"
        )
        ok = not (result["failed_requests"] or result["orders_lost"] or result["emails_lost"] or result["photos_lost"])
        result["ok"] = ok and result["orders_placed"] > 0
        print(json.dumps(result), flush=True)
        exit_code = 0 if result["ok"] else 1
    finally:
        for proc in reversed(processes):
            proc.terminate()
        for proc in processes:
            if isinstance(proc, subprocess.Popen):
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
            else:
                proc.join(timeout=10)
        for log in logs:
            log.close()
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database()
            flush_redis()
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            say(f"kept: {workdir} and database {DB_NAME}")
    sys.exit(exit_code)


if __name__ == "__main__":
    main()
