"""Benchmark the retention sweep against hand-written SQL doing the same changes.

    python bench/retention.py                 # 200,000 users on SQLite
    python bench/retention.py --quick         # 20,000 users
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/retention.py

Builds a synthetic population (users with their personal data of every kind
that exists, photos with their stored files, ages spread over 12 years), copies the database, runs the
sweep (``manage.py privacy_sweep``) in a child process on one copy and the
equivalent hand-written SQL on the other, checks both end in the same state,
and prints rows per second for each, the ratio, and the sweep's peak memory;
the sweep also runs on a population ten times smaller, to show memory stays
flat. Each app adds its data to ``POPULATE`` and its statements to
``HAND_SQL``. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from dateutil.relativedelta import relativedelta

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOW = datetime.datetime(2026, 11, 23, 3, 0, tzinfo=datetime.UTC)
YEARS_SPREAD = 12
PASSWORD_HASH = "md5$bench$0123456789abcdef0123456789abcdef"  # never used to log in


# ---------------------------------------------------------------- databases


class Target:
    """A database the benchmark can create, fill, copy and drop (SQLite file or PostgreSQL)."""

    def __init__(self, base_url: str | None, workdir: Path) -> None:
        self.base_url = base_url
        self.workdir = workdir

    @property
    def vendor(self) -> str:
        return "postgresql" if self.base_url and self.base_url.startswith("postgres") else "sqlite"

    def url(self, name: str) -> str:
        if self.vendor == "sqlite":
            return f"sqlite:///{self.workdir / (name + '.sqlite3')}"
        head, _sep, _db = self.base_url.rpartition("/")
        return f"{head}/{name}"

    def _admin(self, sql: str) -> None:
        import psycopg

        head, _sep, _db = self.base_url.rpartition("/")
        with psycopg.connect(f"{head}/postgres", autocommit=True) as conn:
            conn.execute(sql)

    def media(self, name: str) -> Path:
        """The folder holding this database's stored files (MEDIA_ROOT of its processes)."""
        return self.workdir / f"media-{name}"

    def drop(self, name: str) -> None:
        shutil.rmtree(self.media(name), ignore_errors=True)
        if self.vendor == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.workdir / (name + '.sqlite3')}{suffix}").unlink(missing_ok=True)
        else:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def create(self, name: str) -> None:
        self.drop(name)
        if self.vendor == "postgresql":
            self._admin(f'CREATE DATABASE "{name}"')

    def copy(self, source: str, target: str) -> None:
        self.drop(target)
        if self.media(source).exists():
            # Hard links: a file removed from one copy stays in the other.
            shutil.copytree(self.media(source), self.media(target), copy_function=os.link)
        if self.vendor == "sqlite":
            shutil.copyfile(self.workdir / (source + ".sqlite3"), self.workdir / (target + ".sqlite3"))
        else:
            self._admin(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')


def child_env(url: str, media: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", "AWS_"))}
    env.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="photoshop.settings", DJANGO_DEBUG="false")
    if media is not None:
        env["MEDIA_ROOT"] = str(media)
    return env


def manage(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=child_env(url), capture_output=True, text=True, check=True
    )


def connect(url: str):
    """Open a DB-API connection with "%s" parameters on both vendors."""
    if url.startswith("sqlite"):
        import sqlite3

        class Conn:
            def __init__(self, path: str) -> None:
                self.raw = sqlite3.connect(path)

            def execute(self, sql: str, params=()):
                return self.raw.execute(sql.replace("%s", "?"), params)

            def executemany(self, sql: str, rows):
                return self.raw.executemany(sql.replace("%s", "?"), rows)

            def commit(self) -> None:
                self.raw.commit()

            def close(self) -> None:
                self.raw.close()

        return Conn(url.removeprefix("sqlite:///"))
    import psycopg

    class PgConn:
        def __init__(self, dsn: str) -> None:
            self.raw = psycopg.connect(dsn)

        def execute(self, sql: str, params=()):
            return self.raw.execute(sql, params)

        def executemany(self, sql: str, rows):
            with self.raw.cursor() as cur:
                cur.executemany(sql, rows)

        def commit(self) -> None:
            self.raw.commit()

        def close(self) -> None:
            self.raw.close()

    return PgConn(url)


def ts(value: datetime.datetime | None, vendor: str):
    if value is None:
        return None
    if vendor == "sqlite":
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


# ---------------------------------------------------------------- population


def populate_accounts(conn, n: int, rng: random.Random, vendor: str, media: Path) -> None:
    """Users, e-mail addresses, addresses, communication preferences, sessions, admin log."""
    span = YEARS_SPREAD * 365 * 24 * 3600
    batch = 10_000
    for start in range(1, n + 1, batch):
        users, emails, addresses, prefs, sessions = [], [], [], [], []
        for uid in range(start, min(start + batch, n + 1)):
            joined = NOW - datetime.timedelta(seconds=rng.randrange(span))
            active = joined + (NOW - joined) * rng.random() ** 3 if rng.random() < 0.9 else None
            closed = (
                (active or joined) + datetime.timedelta(days=rng.randrange(1, 30)) if rng.random() < 0.03 else None
            )
            if closed and closed > NOW:
                closed = None
            birth = datetime.date(1950 + uid % 55, 1 + uid % 12, 1 + uid % 28)
            users.append(
                (
                    uid,
                    PASSWORD_HASH,
                    False,
                    f"user{uid}@example.com",
                    "Anna",
                    f"Peeters{uid}",
                    "female",
                    "nl",
                    birth.isoformat(),
                    "+32470123456",
                    False,
                    "",
                    "",
                    False,
                    True,
                    ts(joined, vendor),
                    ts(active, vendor),
                    ts(closed, vendor),
                )
            )
            emails.append((uid, f"user{uid}@example.com", True, True))
            for k in range(1 + uid % 2):
                key = uuid.UUID(f"{uid:08x}-0000-4000-8000-{k:012x}")
                addresses.append(
                    (
                        key.hex if vendor == "sqlite" else key,
                        uid,
                        "delivery",
                        f"Anna Peeters{uid}",
                        "",
                        f"Straat {uid}",
                        "",
                        "1000",
                        "Brussel",
                        "BE",
                        "",
                        k == 0,
                        ts(joined, vendor),
                        ts(joined, vendor),
                    )
                )
            if uid % 3:
                prefs.append((uid, "marketing", uid % 2 == 0, ts(active or joined, vendor), "account_page"))
            if uid % 4 == 0:
                sessions.append(
                    (
                        f"acct{uid:032d}",
                        "e30:bench",
                        ts(NOW + datetime.timedelta(days=14), vendor),
                        uid,
                        ts(active or joined, vendor),
                    )
                )
        conn.executemany(
            "INSERT INTO accounts_user (id, password, is_superuser, email, first_name, last_name, gender, language,"
            " birth_date, mobile_phone, is_business, company_name, vat_number, is_staff, is_active, date_joined,"
            " last_activity, closed_at) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
            users,
        )
        conn.executemany(
            'INSERT INTO account_emailaddress (user_id, email, verified, "primary") VALUES (%s,%s,%s,%s)', emails
        )
        conn.executemany(
            "INSERT INTO accounts_address (id, user_id, kind, full_name, company, street_address, address_line2,"
            " postal_code, city, country, phone, is_default, created_at, updated_at)"
            " VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
            addresses,
        )
        conn.executemany(
            "INSERT INTO accounts_communicationpreference (user_id, kind, enabled, changed_at, changed_via)"
            " VALUES (%s,%s,%s,%s,%s)",
            prefs,
        )
        conn.executemany(
            "INSERT INTO accounts_session (session_key, session_data, expire_date, account_id, modified_at)"
            " VALUES (%s,%s,%s,%s,%s)",
            sessions,
        )
    # Visitor sessions of the last week (SMP-1: gone 24 hours after the visit).
    visitors = [
        (
            f"visit{i:032d}",
            "e30:bench",
            ts(NOW + datetime.timedelta(days=14), vendor),
            None,
            ts(NOW - datetime.timedelta(seconds=rng.randrange(7 * 24 * 3600)), vendor),
        )
        for i in range(n // 2)
    ]
    conn.executemany(
        "INSERT INTO accounts_session (session_key, session_data, expire_date, account_id, modified_at)"
        " VALUES (%s,%s,%s,%s,%s)",
        visitors,
    )
    conn.commit()


def populate_photos(conn, n: int, rng: random.Random, vendor: str, media: Path) -> None:
    """Photos with their stored files: one for every fourth user over 12 years, visitors' of the last months."""
    span = YEARS_SPREAD * 365 * 24 * 3600
    owners = [(uid, "", NOW - datetime.timedelta(seconds=rng.randrange(span))) for uid in range(4, n + 1, 4)]
    owners += [
        (None, f"visitor{i:06d}", NOW - datetime.timedelta(seconds=rng.randrange(200 * 24 * 3600)))
        for i in range(n // 20)
    ]
    rows = []
    for index, (uid, session, uploaded) in enumerate(owners):
        key = uuid.UUID(int=index + 1)
        names = [f"photos/originals/{key.hex[:2]}/{key.hex}.jpg"] + [
            f"photos/thumbnails/{key.hex[:2]}/{key.hex}-{size}.jpg" for size in ("small", "large")
        ]
        for name in names:
            path = media / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"jpeg")
        rows.append(
            (
                key.hex if vendor == "sqlite" else key,
                uid,
                session,
                *names,
                f"IMG_{index}.jpg",
                f"{index:064x}",
                4,
                "JPEG",
                "",
                "",
                1,
                "ready",
                "",
                "clean",
                "{}",
                "",
                ts(uploaded, vendor),
            )
        )
    conn.executemany(
        "INSERT INTO photos_photo (id, user_id, session_key, original, thumbnail_small, thumbnail_large, filename,"
        " content_hash, size_bytes, image_format, camera_make, camera_model, orientation, status, error, review,"
        " nsfw_labels, review_reason, uploaded_at)"
        " VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
        rows,
    )
    conn.commit()


POPULATE: list[Callable] = [populate_accounts, populate_photos]


# ---------------------------------------------------------------- hand-written SQL (default preset)


def hand_sql_accounts(conn, vendor: str, media: Path) -> int:
    """The default preset's account rules as plain statements; return the rows changed."""
    c10 = ts(NOW - relativedelta(years=10), vendor)
    c48 = ts(NOW - relativedelta(hours=48), vendor)
    c24 = ts(NOW - relativedelta(hours=24), vendor)
    c2y = ts(NOW - relativedelta(years=2), vendor)
    now = ts(NOW, vendor)
    person = "is_staff = %s AND is_superuser = %s"
    stx1 = f"SELECT id FROM accounts_user WHERE COALESCE(last_activity, date_joined) < %s AND {person}"
    stx4 = f"SELECT id FROM accounts_user WHERE closed_at < %s AND {person}"
    year = "date(birth_date, 'start of year')" if vendor == "sqlite" else "date_trunc('year', birth_date)::date"
    changed = 0
    statements = [
        (f"DELETE FROM accounts_communicationpreference WHERE user_id IN ({stx1})", (c10, False, False)),
        (f"DELETE FROM accounts_communicationpreference WHERE user_id IN ({stx4})", (c48, False, False)),
        ("DELETE FROM accounts_session WHERE account_id IS NULL AND modified_at < %s", (c24,)),
        ("DELETE FROM django_admin_log WHERE action_time < %s", (c2y,)),
    ]
    for due, cutoff in ((stx1, c10), (stx4, c48)):
        statements += [
            (
                "UPDATE accounts_user SET email = 'anonymised-' || CAST(id AS TEXT) || '@anonymised.invalid',"
                " password = '!anonymised', first_name = '', last_name = '', gender = '',"
                f" birth_date = {year}, mobile_phone = '', company_name = '', vat_number = '', last_login = NULL,"
                " is_active = %s, is_business = %s, anonymised_at = %s"
                f" WHERE anonymised_at IS NULL AND id IN ({due})",
                (False, False, now, cutoff, False, False),
            ),
            (f"DELETE FROM account_emailaddress WHERE user_id IN ({due})", (cutoff, False, False)),
            (f"DELETE FROM mfa_authenticator WHERE user_id IN ({due})", (cutoff, False, False)),
            (f"DELETE FROM accounts_address WHERE user_id IN ({due})", (cutoff, False, False)),
            (f"DELETE FROM accounts_session WHERE account_id IN ({due})", (cutoff, False, False)),
        ]
    for sql, params in statements:
        changed += conn.execute(sql, params).rowcount
    conn.commit()
    return changed


def hand_sql_photos(conn, vendor: str, media: Path) -> int:
    """SMP-7 (visitors' photos, 90 days) and SMP-6 (account photos, 2 years), files included."""
    changed = 0
    for where, cutoff in (
        ("user_id IS NULL AND uploaded_at < %s", NOW - relativedelta(days=90)),
        ("user_id IS NOT NULL AND uploaded_at < %s", NOW - relativedelta(years=2)),
    ):
        params = (ts(cutoff, vendor),)
        for names in conn.execute(
            f"SELECT original, thumbnail_small, thumbnail_large FROM photos_photo WHERE {where}", params
        ).fetchall():
            for name in names:
                (media / name).unlink(missing_ok=True)
        changed += conn.execute(f"DELETE FROM photos_photo WHERE {where}", params).rowcount
    conn.commit()
    return changed


HAND_SQL: list[Callable] = [hand_sql_accounts, hand_sql_photos]

STATE_QUERIES = {
    "users": "SELECT COUNT(*) FROM accounts_user",
    "anonymised_users": "SELECT COUNT(*) FROM accounts_user WHERE anonymised_at IS NOT NULL",
    "anonymised_emails": "SELECT COUNT(*) FROM accounts_user WHERE email LIKE 'anonymised-%%'",
    "addresses": "SELECT COUNT(*) FROM accounts_address",
    "email_addresses": "SELECT COUNT(*) FROM account_emailaddress",
    "preferences": "SELECT COUNT(*) FROM accounts_communicationpreference",
    "sessions": "SELECT COUNT(*) FROM accounts_session",
    "photos": "SELECT COUNT(*) FROM photos_photo",
}


def state(url: str, media: Path) -> dict[str, int]:
    conn = connect(url)
    try:
        figures = {name: conn.execute(sql).fetchone()[0] for name, sql in STATE_QUERIES.items()}
    finally:
        conn.close()
    figures["stored_files"] = sum(1 for path in media.rglob("*") if path.is_file())
    return figures


# ---------------------------------------------------------------- measurements


def build(target: Target, name: str, users: int, seed: int) -> float:
    started = time.perf_counter()
    target.create(name)
    manage(target.url(name), "migrate", "--noinput", "-v0")
    conn = connect(target.url(name))
    rng = random.Random(seed)
    for populate in POPULATE:
        populate(conn, users, rng, target.vendor, target.media(name))
    # Planner statistics, as a live database has them (autovacuum / PRAGMA optimize).
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()
    return time.perf_counter() - started


def run_sweep_child(url: str, media: Path) -> tuple[float, float, dict]:
    """Run the sweep in a child process; return its own duration, peak memory (MB) and counts."""
    with tempfile.TemporaryFile(mode="w+") as errors:
        proc = subprocess.Popen(
            [sys.executable, "manage.py", "privacy_sweep", "--json", "--now", NOW.isoformat()],
            cwd=ROOT,
            env=child_env(url, media),
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        out = proc.stdout.read()
        # wait4 gives this child's own resource usage, its peak memory included.
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            errors.seek(0)
            raise RuntimeError(f"privacy_sweep failed:\n{errors.read()}")
    figures = json.loads(out.strip().splitlines()[-1])
    conn = connect(url)
    started, finished = conn.execute(
        "SELECT started_at, finished_at FROM privacy_sweeprun WHERE id = %s",
        (figures["run_id"] if url.startswith("postgres") else figures["run_id"].replace("-", ""),),
    ).fetchone()
    conn.close()
    if isinstance(started, str):
        started, finished = (datetime.datetime.fromisoformat(v) for v in (started, finished))
    peak_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
    return (finished - started).total_seconds(), peak_mb, figures["rules"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200_000, help="population size (default 200,000)")
    parser.add_argument("--quick", action="store_true", help="a short run: 20,000 users")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    users = 20_000 if args.quick else args.users

    workdir = Path(tempfile.mkdtemp(prefix="bench-retention-"))
    target = Target(os.environ.get("DATABASE_URL"), workdir)
    names = ["bench_pop", "bench_sweep", "bench_sql", "bench_small", "bench_small_sweep"]
    try:
        print(f"database: {target.vendor}; population: {users:,} users (and {users // 10:,} for the memory check)")
        built = build(target, "bench_pop", users, args.seed)
        print(f"built in {built:.1f}s")
        target.copy("bench_pop", "bench_sweep")
        target.copy("bench_pop", "bench_sql")

        sweep_s, peak_mb, counts = run_sweep_child(target.url("bench_sweep"), target.media("bench_sweep"))
        rows = sum(outcome["count"] + outcome["restricted_by_hold"] for outcome in counts.values())
        print(f"sweep: {rows:,} rows in {sweep_s:.2f}s ({rows / sweep_s:,.0f} rows/s), peak {peak_mb:.0f} MB")

        conn = connect(target.url("bench_sql"))
        started = time.perf_counter()
        sql_rows = sum(step(conn, target.vendor, target.media("bench_sql")) for step in HAND_SQL)
        sql_s = time.perf_counter() - started
        conn.close()
        print(f"hand-written SQL: {sql_rows:,} rows in {sql_s:.2f}s ({sql_rows / sql_s:,.0f} rows/s)")

        swept = state(target.url("bench_sweep"), target.media("bench_sweep"))
        by_hand = state(target.url("bench_sql"), target.media("bench_sql"))
        same = swept == by_hand
        print(f"end states {'match' if same else 'DIFFER'}: {swept}" + ("" if same else f" vs {by_hand}"))

        build(target, "bench_small", users // 10, args.seed)
        target.copy("bench_small", "bench_small_sweep")
        _small_s, small_peak_mb, _ = run_sweep_child(
            target.url("bench_small_sweep"), target.media("bench_small_sweep")
        )
        print(f"memory: {small_peak_mb:.0f} MB at {users // 10:,} users, {peak_mb:.0f} MB at {users:,} users")

        ratio = sweep_s / sql_s if sql_s else float("inf")
        result = {
            "benchmark": "retention",
            "database": target.vendor,
            "users": users,
            "rows": rows,
            "sql_rows": sql_rows,
            "sweep_s": round(sweep_s, 3),
            "sql_s": round(sql_s, 3),
            "ratio": round(ratio, 2),
            "sweep_rows_per_s": round(rows / sweep_s),
            "sql_rows_per_s": round(sql_rows / sql_s),
            "peak_mb": round(peak_mb, 1),
            "peak_mb_at_tenth": round(small_peak_mb, 1),
            "states_match": same,
            "targets_met": ratio <= 2 and peak_mb < 250 and same,
        }
        print(json.dumps(result))
    finally:
        for name in names:
            target.drop(name)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
