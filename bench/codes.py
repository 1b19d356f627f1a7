"""Benchmark promo codes: generating 100,000 codes, and redeeming under 8 concurrent clients.

    python bench/codes.py            # 100,000 codes; redemptions for 10 s
    python bench/codes.py --quick    # 100,000 codes; redemptions for 3 s
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/codes.py

Generation is timed on SQLite (a throwaway file) and on PostgreSQL (a
throwaway database ``bench_codes`` beside the one in DATABASE_URL, or the
local server at 127.0.0.1 when DATABASE_URL is not PostgreSQL). Redemption
runs on PostgreSQL only: 8 client processes, each with its own connection, call the
whole redemption service (``promotions.services.code_redeem``) on fresh
carts with single-use codes of one campaign; in the same run, 8 processes run
a plain single-row ``UPDATE`` in autocommit as the baseline. ``ratio`` is
redemptions per second over baseline updates per second. The last line is
one JSON object.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CLIENTS = 8
GENERATE = 100_000
BASELINE = "UPDATE promotions_campaign SET redeemed = redeemed + 1 WHERE id = %s"
LOCAL_PG = "postgres://postgres@127.0.0.1:5432/postgres"


def _pg_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    base = url if url.startswith("postgres") else LOCAL_PG
    head, _sep, _name = base.rpartition("/")
    return f"{head}/bench_codes"


def _admin(url: str, sql: str) -> None:
    import psycopg

    head, _sep, _name = url.rpartition("/")
    with psycopg.connect(f"{head}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def run_child(url: str, mode: str, seconds: float) -> dict:
    """Run this file in a child process on one database (Django is set up once per process)."""
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
    env.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="photoshop.settings", CACHE_URL="locmemcache://")
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--seconds", str(seconds)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise SystemExit(f"{mode} on {url} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def child(mode: str, seconds: float) -> None:
    import django

    django.setup()
    import datetime

    from django.core.management import call_command
    from django.db import connection, connections
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from accounts.models import User
    from orders.models import Cart, Format, Product
    from promotions.models import Campaign, Code, Sponsor
    from promotions.services import code_redeem, codes_generate

    product = Product.objects.create(slug="bench-prints", kind="print", name_en="Prints")
    fmt = Format.objects.create(
        product=product, code="10x15", name_en="10 x 15", width_mm=150, height_mm=100, price_cents=35
    )
    now = timezone.now()
    campaign = Campaign.objects.create(
        sponsor=Sponsor.objects.create(name="Bench", slug="bench"),
        name="bench",
        format=fmt,
        quantity=20,
        starts_at=now - datetime.timedelta(days=1),
        ends_at=now + datetime.timedelta(days=30),
        quota=None,
        per_user_limit=1,
    )
    started = time.perf_counter()
    made = codes_generate(campaign=campaign, count=GENERATE)
    generate_s = time.perf_counter() - started
    result = {"generate_100k_s": round(generate_s, 2), "codes": made}
    if mode == "redeem":
        codes = list(Code.objects.filter(campaign=campaign).values_list("code", flat=True)[:20_000])
        users = User.objects.bulk_create(
            [User(email=f"bench{i}@example.com", password="!") for i in range(len(codes))]
        )
        carts = Cart.objects.bulk_create([Cart(user=user) for user in users])
        work = list(zip(carts, users, codes, strict=True))
        chunks = [work[i::CLIENTS] for i in range(CLIENTS)]

        def redeem(chunk: list, queue) -> None:
            stop, count = time.perf_counter() + seconds, 0
            for cart, user, code in chunk:
                if time.perf_counter() >= stop:
                    break
                code_redeem(cart=cart, user=user, raw_code=code)
                count += 1
            connection.close()
            queue.put(count)

        def update(_chunk: list, queue) -> None:
            stop, count = time.perf_counter() + seconds, 0
            with connection.cursor() as cursor:
                while time.perf_counter() < stop:
                    cursor.execute(BASELINE, [campaign.pk])
                    count += 1
            connection.close()
            queue.put(count)

        # Clients are processes, as a deployment's are: threads would share one interpreter lock.
        context = multiprocessing.get_context("fork")
        for name, target in (("baseline_update_per_s", update), ("redeem_per_s", redeem)):
            connections.close_all()  # each client opens its own connection
            queue = context.Queue()
            clients = [context.Process(target=target, args=(chunk, queue)) for chunk in chunks]
            began = time.perf_counter()
            for client in clients:
                client.start()
            counts = [queue.get() for _client in clients]
            elapsed = time.perf_counter() - began
            for client in clients:
                client.join()
            result[name] = round(sum(counts) / elapsed, 1)
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="redemptions for 3 s instead of 10")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=10.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.seconds)
        return
    seconds = 3.0 if args.quick else 10.0
    workdir = Path(tempfile.mkdtemp(prefix="bench-codes-"))
    sqlite = run_child(f"sqlite:///{workdir / 'codes.sqlite3'}", "generate", seconds)
    print(f"SQLite: {GENERATE:,} codes generated in {sqlite['generate_100k_s']:.2f} s", flush=True)
    url = _pg_url()
    try:
        _admin(url, "DROP DATABASE IF EXISTS bench_codes WITH (FORCE)")
        _admin(url, "CREATE DATABASE bench_codes")
        pg = run_child(url, "redeem", seconds)
    finally:
        _admin(url, "DROP DATABASE IF EXISTS bench_codes WITH (FORCE)")
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()
    ratio = pg["redeem_per_s"] / pg["baseline_update_per_s"]
    print(f"PostgreSQL: {GENERATE:,} codes generated in {pg['generate_100k_s']:.2f} s")
    print(
        f"PostgreSQL, {CLIENTS} clients: {pg['redeem_per_s']:,.0f} redemptions/s through the service,"
        f" {pg['baseline_update_per_s']:,.0f} single-row UPDATEs/s (baseline); ratio {ratio:.2f}"
    )
    targets = {
        "generate_sqlite_under_10_s": sqlite["generate_100k_s"] < 10,
        "generate_postgresql_under_10_s": pg["generate_100k_s"] < 10,
        "redeem_at_least_half_the_baseline": ratio >= 0.5,
    }
    print(
        json.dumps(
            {
                "benchmark": "codes",
                "generate_100k_s": max(sqlite["generate_100k_s"], pg["generate_100k_s"]),
                "generate_100k_s_sqlite": sqlite["generate_100k_s"],
                "generate_100k_s_postgresql": pg["generate_100k_s"],
                "redeem_per_s": pg["redeem_per_s"],
                "baseline_update_per_s": pg["baseline_update_per_s"],
                "ratio": round(ratio, 2),
                "clients": CLIENTS,
                "targets": targets,
                "targets_met": all(targets.values()),
            }
        )
    )


if __name__ == "__main__":
    main()
