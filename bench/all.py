"""Run every benchmark of the project and print one table of their figures and ratios.

    python bench/all.py          # each benchmark with --quick (make bench)
    python bench/all.py --full   # each at its full size (long: the retention sweep at 200,000 users)

Each benchmark runs in its own process, as its own command would; its last
output line is one JSON object, which this script flattens into rows
(``pages.cart.ratio``, ``scale_out.p99_ms``, ...). A benchmark that stops
with an error is reported and makes the exit status non-zero; one that
misses a target says so in its own figures (``targets_met``, ``ok``).
The last line is one JSON object with every benchmark's figures.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
BENCHMARKS = ["pages", "codes", "photos", "retention", "scale_out"]


def flatten(value: object, prefix: str = "") -> list[tuple[str, object]]:
    """Return the numbers and flags of a benchmark's JSON as (dotted name, value) rows."""
    if isinstance(value, dict):
        rows = []
        for key, inner in value.items():
            rows += flatten(inner, f"{prefix}.{key}" if prefix else str(key))
        return rows
    if isinstance(value, bool | int | float) or value is None:
        return [(prefix, value)]
    return []  # texts and lists: in the benchmark's own output


def run(name: str, *, full: bool) -> tuple[dict | None, float, str]:
    command = [sys.executable, str(BENCH / f"{name}.py"), *([] if full else ["--quick"])]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    try:
        figures = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        figures = None
    problem = "" if figures is not None else (result.stderr.strip().splitlines() or ["no output"])[-1]
    return figures, elapsed, problem


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="full-size runs instead of --quick")
    parser.add_argument("names", nargs="*", choices=[[], *BENCHMARKS], help="only these benchmarks")
    args = parser.parse_args()
    everything: dict[str, dict | None] = {}
    failed = []
    for name in args.names or BENCHMARKS:
        print(f"running bench/{name}.py{'' if args.full else ' --quick'} ...", flush=True)
        figures, elapsed, problem = run(name, full=args.full)
        everything[name] = figures
        if figures is None:
            failed.append(name)
            print(f"  stopped: {problem}", flush=True)
        else:
            print(f"  done in {elapsed:.0f} s", flush=True)
    print()
    print(f"{'benchmark':<11} {'figure':<48} {'value':>14}")
    for name, figures in everything.items():
        if figures is None:
            print(f"{name:<11} {'(stopped with an error)':<48} {'-':>14}")
            continue
        for key, value in flatten(figures):
            shown = f"{value:,.3f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
            print(f"{name:<11} {key:<48} {shown:>14}")
    print(json.dumps({"benchmark": "all", "quick": not args.full, "failed": failed, "results": everything}))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
