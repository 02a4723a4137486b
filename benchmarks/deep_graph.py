"""Backward through long chains: is the engine's cost per node flat from 1e4 to 1e6 nodes?

A chain y = x * c * c * ... (n recorded Mul nodes on 0-d float32 tensors; ``--op add``
uses y + c, ``--op tanh`` y.tanh()) is built, then ``y.backward()`` is timed. Each chain
length runs in its own subprocess, so each gets its own peak RSS (the graph of 1e6 scalar
nodes takes about a gigabyte) and no run inherits another's heap. Short chains are repeated
and the median taken; the 1e6 chain runs once (the whole script takes well under 3 min).

Reported per length: build (forward) and backward microseconds per node, their sum, the
part of it spent in Python's cyclic garbage collector (timed with ``gc.callbacks``), the
peak RSS of the process, and the RSS still held after backward freed the graph. The
collector stays on, as a user has it (``--gc-off`` shows the cost without it).

Targets: per-node backward at 1e6 nodes <= 1.5x that at 1e4 (issue #8); per-node build plus
backward at 1e6 nodes <= 1.2x that at 1e4 (issue #13).

Run:  python benchmarks/deep_graph.py [--sizes 10000 100000 1000000] [--op mul] [--threads 1]
"""

from __future__ import annotations

from _bench import threads_from_argv

THREADS = threads_from_argv()  # before NumPy is imported

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from _bench import REPO, add_threads_arg, current_rss_mb, describe, peak_rss_mb  # noqa: E402

TARGET = 1.5  # backward alone
TARGET_TOTAL = 1.2  # build + backward


def run_chain(n: int, op: str, repeats: int, gc_off: bool) -> dict[str, float]:
    """In the child: build and backward a chain of n nodes ``repeats`` times."""
    import numpy as np

    import tinygrad_edu as tg

    if gc_off:
        gc.disable()
    baseline = current_rss_mb()
    builds, backs, held, gcs = [], [], [], []
    in_gc = [0.0, 0.0]  # total seconds in the collector; start of the current collection

    def clock_gc(phase: str, info: dict) -> None:
        if phase == "start":
            in_gc[1] = time.perf_counter()
        else:
            in_gc[0] += time.perf_counter() - in_gc[1]

    gc.callbacks.append(clock_gc)
    for _ in range(repeats):
        x = tg.tensor(np.float32(1.0), requires_grad=True)
        y = x
        gc_before = in_gc[0]
        start = time.perf_counter()
        if op == "mul":
            for _ in range(n):
                y = y * 0.999999
        elif op == "add":
            for _ in range(n):
                y = y + 1e-6
        else:
            for _ in range(n):
                y = y.tanh()
        mid = time.perf_counter()
        y.backward()
        end = time.perf_counter()
        builds.append((mid - start) / n)
        backs.append((end - mid) / n)
        gcs.append((in_gc[0] - gc_before) / n)
        assert x.grad is not None and np.isfinite(x.grad.item())
        del y, x
        held.append(current_rss_mb() - baseline)
    return {
        "n": n,
        "build_us": statistics.median(builds) * 1e6,
        "backward_us": statistics.median(backs) * 1e6,
        "backward_min_us": min(backs) * 1e6,
        "total_us": statistics.median([b + k for b, k in zip(builds, backs)]) * 1e6,
        "gc_us": statistics.median(gcs) * 1e6,
        "peak_rss_mb": peak_rss_mb(),
        "baseline_rss_mb": baseline,
        "held_after_mb": held[-1],
        "repeats": repeats,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--op", choices=["mul", "add", "tanh"], default="mul")
    parser.add_argument("--gc-off", action="store_true", help="gc.disable() in the children")
    parser.add_argument("--child", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=0, help=argparse.SUPPRESS)
    add_threads_arg(parser)
    args = parser.parse_args()

    if args.child:
        print(json.dumps(run_chain(args.child, args.op, args.repeats, args.gc_off)))
        return

    print(describe(THREADS))
    print(f"chain of {args.op} nodes on 0-d float32 tensors; gc {'off' if args.gc_off else 'on'}")
    print(
        f"{'nodes':>9} {'build us/node':>14} {'backward us/node':>17} {'vs first':>9} "
        f"{'total us/node':>14} {'vs first':>9} {'of it gc':>9} "
        f"{'peak RSS MB':>12} {'held after MB':>14}"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    first = first_total = None
    for n in args.sizes:
        repeats = 5 if n <= 10_000 else 3 if n <= 100_000 else 1
        cmd = [sys.executable, __file__, "--child", str(n), "--op", args.op]
        cmd += ["--repeats", str(repeats), "--threads", str(THREADS or 0)]
        if args.gc_off:
            cmd.append("--gc-off")
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        first = first or r["backward_us"]
        first_total = first_total or r["total_us"]
        print(
            f"{n:>9} {r['build_us']:14.2f} {r['backward_us']:17.2f} "
            f"{r['backward_us'] / first:8.2f}x {r['total_us']:14.2f} "
            f"{r['total_us'] / first_total:8.2f}x {r['gc_us']:9.2f} {r['peak_rss_mb']:12.0f} "
            f"{r['held_after_mb']:14.1f}"
        )
    ratio = r["backward_us"] / first
    verdict = "PASS" if ratio <= TARGET else "FAIL"
    print(f"backward per node, largest vs smallest: {ratio:.2f}x (target <= {TARGET}: {verdict})")
    total = r["total_us"] / first_total
    verdict = "PASS" if total <= TARGET_TOTAL else "FAIL"
    print(
        f"build + backward per node, largest vs smallest: {total:.2f}x "
        f"(target <= {TARGET_TOTAL}: {verdict})"
    )


if __name__ == "__main__":
    main()
