"""The retention benchmark still builds its population against today's schema and ends where the hand SQL ends.

A column added to a model (say ``Order.channel``) without a value in
``bench/retention.py`` breaks the benchmark only when someone runs it; this
runs it on a few hundred users, in a child process as the benchmark does.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def retention():
    spec = importlib.util.spec_from_file_location("bench_retention", ROOT / "bench" / "retention.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_retention"] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("bench_retention", None)


def test_the_benchmark_builds_and_the_sweep_ends_where_the_hand_written_sql_ends(retention, tmp_path):
    result = retention.measure(retention.Target(None, tmp_path), users=300, seed=7, repeat=1)

    run = result["runs"][0]
    assert run["rows"] > 0
    assert run["states_match"], "the sweep and the hand-written SQL left different data behind"
