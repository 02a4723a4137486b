"""How much does ``tinygrad_edu.optim.Adam.step()`` cost over hand-written NumPy Adam?

Both update the MNIST network's parameters (128x784, 128, 40x128, 40, 10x40, 10; float32;
106,050 values) with the same in-place NumPy operations. The difference is the framework's
bookkeeping: parameter groups, the state dicts, None-grad checks, Tensor wrappers.

The two are timed in alternating blocks (so that both see the same machine conditions),
and the ratio of the medians over the blocks is printed. Target: at most 1.2.

Run from the repository root (or with the package installed):
    PYTHONPATH=. python benchmarks/optim_step.py [--blocks 9] [--steps 200] [--threads 1]
"""

from __future__ import annotations

from _bench import threads_from_argv

THREADS = threads_from_argv()  # before NumPy is imported

import argparse  # noqa: E402
import math  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from _bench import add_threads_arg, describe  # noqa: E402

from tinygrad_edu import Tensor  # noqa: E402
from tinygrad_edu.optim import Adam  # noqa: E402

SHAPES = [(128, 784), (128,), (40, 128), (40,), (10, 40), (10,)]
LR, BETA1, BETA2, EPS = 1e-3, 0.9, 0.99, 1e-8


class HandAdam:
    """Adam written directly over lists of arrays: the fastest plain in-place NumPy form."""

    def __init__(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        self.params, self.grads = params, grads
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.tmp = [np.empty_like(p) for p in params]
        self.t = 0

    def step(self) -> None:
        self.t += 1
        step_size = LR / (1 - BETA1**self.t)
        root_bc2 = math.sqrt(1 - BETA2**self.t)
        for p, g, m, v, tmp in zip(self.params, self.grads, self.m, self.v, self.tmp):
            np.multiply(m, BETA1, out=m)
            np.multiply(g, 1 - BETA1, out=tmp)
            np.add(m, tmp, out=m)
            np.multiply(v, BETA2, out=v)
            np.multiply(g, g, out=tmp)
            np.multiply(tmp, 1 - BETA2, out=tmp)
            np.add(v, tmp, out=v)
            np.sqrt(v, out=tmp)
            np.divide(tmp, root_bc2, out=tmp)
            np.add(tmp, EPS, out=tmp)
            np.divide(m, tmp, out=tmp)
            np.multiply(tmp, step_size, out=tmp)
            np.subtract(p, tmp, out=p)


def time_steps(step, steps: int) -> float:
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=9, help="alternating blocks (>= 7)")
    parser.add_argument("--steps", type=int, default=200, help="Adam steps per block")
    add_threads_arg(parser)
    args = parser.parse_args()
    print(describe(THREADS))

    rng = np.random.default_rng(0)
    start = [rng.normal(size=s).astype(np.float32) * 0.05 for s in SHAPES]
    grads = [rng.normal(size=s).astype(np.float32) * 1e-3 for s in SHAPES]
    assert sum(g.size for g in grads) == 106_050

    params = [Tensor(a.copy(), requires_grad=True) for a in start]
    for p, g in zip(params, grads):
        p.grad = Tensor(g.copy())
    ours = Adam(params, lr=LR, betas=(BETA1, BETA2), eps=EPS)
    hand = HandAdam([a.copy() for a in start], grads)

    for _ in range(20):  # warm up caches and allocate the state
        ours.step()
        hand.step()

    ours_times, hand_times, ratios = [], [], []
    for _ in range(args.blocks):
        t_hand = time_steps(hand.step, args.steps)
        t_ours = time_steps(ours.step, args.steps)
        hand_times.append(t_hand)
        ours_times.append(t_ours)
        ratios.append(t_ours / t_hand)

    # same arithmetic on the same inputs, so the two must have stayed in step
    for p, a in zip(params, hand.params):
        np.testing.assert_allclose(p.data, a, rtol=1e-5, atol=1e-7)

    ratio = statistics.median(ours_times) / statistics.median(hand_times)
    print(f"parameters: {sum(g.size for g in grads):,} float32 in {len(SHAPES)} tensors")
    print(f"blocks: {args.blocks} x {args.steps} steps, alternating")
    print(f"hand-written NumPy Adam: median {statistics.median(hand_times) * 1e6:8.1f} us/step")
    print(f"tinygrad_edu.optim.Adam: median {statistics.median(ours_times) * 1e6:8.1f} us/step")
    print("per-block ratios: " + " ".join(f"{r:.3f}" for r in ratios))
    print(f"ratio of medians: {ratio:.3f}  (target <= 1.2: {'PASS' if ratio <= 1.2 else 'FAIL'})")


if __name__ == "__main__":
    main()
