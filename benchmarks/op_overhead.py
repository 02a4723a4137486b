"""Per-op cost of tinygrad_edu against raw NumPy (and PyTorch autograd when installed).

For add (4,4), matmul (64,64) and relu (128,128) it times, in one process:
  numpy          the bare NumPy call (a + b, a @ b, np.maximum(a, 0))
  fwd            tinygrad_edu forward with grad tracking (builds the graph node)
  fwd no_grad    tinygrad_edu forward under no_grad
  fwd+bwd        tinygrad_edu forward, then backward of y.sum()
and the same fwd / fwd+bwd for PyTorch. The candidates are interleaved in blocks and the
median block is reported, as ratios: machines here are shared and noisy, absolute times
mean little.

Targets (issue #8): add (4,4) fwd <= 4x numpy; fwd+bwd of each op <= 0.3x torch's.

Run: python benchmarks/op_overhead.py [--blocks 9] [--threads 1]
"""

from __future__ import annotations

from _bench import threads_from_argv

THREADS = threads_from_argv()  # before NumPy is imported

import argparse  # noqa: E402
import statistics  # noqa: E402
import timeit  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402
from _bench import add_threads_arg, describe, set_torch_threads  # noqa: E402

import tinygrad_edu as tg  # noqa: E402

try:
    import torch
except ImportError:  # PyTorch is an optional reference
    torch = None


def per_call(fn: Callable[[], object], number: int) -> float:
    return timeit.timeit(fn, number=number) / number


def cases() -> dict[str, dict[str, Callable[[], object]]]:
    rng = np.random.default_rng(0)
    result = {}
    for name, shape, np_op, tg_op, th_op in [
        ("add (4,4)", (4, 4), lambda a, b: a + b, lambda a, b: a + b, lambda a, b: a + b),
        ("matmul (64,64)", (64, 64), lambda a, b: a @ b, lambda a, b: a @ b, lambda a, b: a @ b),
        (
            "relu (128,128)",
            (128, 128),
            lambda a, b: np.maximum(a, 0),
            lambda a, b: a.relu(),
            lambda a, b: a.relu(),
        ),
    ]:
        a_np = rng.standard_normal(shape).astype(np.float32)
        b_np = rng.standard_normal(shape).astype(np.float32)
        a = tg.tensor(a_np, requires_grad=True)
        b = tg.tensor(b_np, requires_grad=True)

        def tg_fwd_bwd(a=a, b=b, op=tg_op):
            op(a, b).sum().backward()

        def tg_no_grad(a=a, b=b, op=tg_op):
            with tg.no_grad():
                return op(a, b)

        c = {
            "numpy": lambda a=a_np, b=b_np, op=np_op: op(a, b),
            "fwd": lambda a=a, b=b, op=tg_op: op(a, b),
            "fwd no_grad": tg_no_grad,
            "fwd+bwd": tg_fwd_bwd,
        }
        if torch is not None:
            ta = torch.tensor(a_np, requires_grad=True)
            tb = torch.tensor(b_np, requires_grad=True)

            def th_fwd_bwd(a=ta, b=tb, op=th_op):
                op(a, b).sum().backward()

            c["torch fwd"] = lambda a=ta, b=tb, op=th_op: op(a, b)
            c["torch fwd+bwd"] = th_fwd_bwd
        result[name] = c
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=9)
    add_threads_arg(parser)
    args = parser.parse_args()
    set_torch_threads(torch, THREADS)
    print(describe(THREADS, torch))
    for name, candidates in cases().items():
        for fn in candidates.values():  # warm up
            per_call(fn, 200)
        number = max(200, int(0.02 / max(per_call(candidates["fwd+bwd"], 200), 1e-7)))
        times: dict[str, list[float]] = {k: [] for k in candidates}
        for _ in range(args.blocks):
            for k, fn in candidates.items():
                times[k].append(per_call(fn, number))
        med = {k: statistics.median(v) for k, v in times.items()}
        base = med["numpy"]
        print(f"\n{name}   (numpy: {base * 1e6:.2f} us per call)")
        for k, v in med.items():
            line = f"  {k:<14} {v * 1e6:9.2f} us   {v / base:7.2f}x numpy"
            if torch is not None and k in ("fwd", "fwd+bwd"):
                line += f"   {v / med['torch ' + k]:5.2f}x torch"
            if k == "fwd" and name.startswith("add"):
                line += f"   target <= 4x numpy: {'PASS' if v / base <= 4 else 'FAIL'}"
            if k == "fwd+bwd" and torch is not None:
                ok = v / med["torch fwd+bwd"] <= 0.3
                line += f"   target <= 0.3x torch: {'PASS' if ok else 'FAIL'}"
            print(line)


if __name__ == "__main__":
    main()
