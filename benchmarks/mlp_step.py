"""MNIST training-step time: tinygrad_edu vs the hand-written NumPy network vs PyTorch.

One step is what examples/mnist_mlp.py does per batch: forward through 784-128-40-10,
softmax + MSE loss (``--loss ce``: cross-entropy), zero_grad, backward, Adam(0.9, 0.99,
1e-8) step. The three start from the same weights (drawn once, copied into each) and take
the same batch (synthetic, standard-normal pixels and random labels: the step's cost does
not depend on the values). Before timing, the gradients of one step are compared across
the three, so a fast but wrong candidate fails loudly.

For each batch size the candidates run in alternating blocks in one process (the order
rotates every block, so none always runs first or last), and the median over the blocks of
each one's time per step is compared with the hand-written NumPy's. PyTorch is skipped
when it is not installed.

"compiled" is the same tinygrad_edu step under ``tinygrad_edu.compile``: traced once and
replayed as generated NumPy (its eager and capturing calls happen in the warm-up).

Targets: eager tinygrad_edu / NumPy <= 1.15 at B=32, <= 1.10 at B=128, <= 1.05 at B=1024
(issue #8); compiled / NumPy <= 0.90, 0.95, 1.00 (issue #19).

Run:  python benchmarks/mlp_step.py [--threads 1] [--blocks 9] [--batches 32 128 1024]
"""

from __future__ import annotations

from _bench import threads_from_argv

THREADS = threads_from_argv()  # before NumPy is imported

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402
from _bench import add_threads_arg, describe, set_torch_threads  # noqa: E402
from numpy_mlp import NumpyMLP, init_weights  # noqa: E402

import tinygrad_edu as tg  # noqa: E402
import tinygrad_edu.nn.functional as F  # noqa: E402
from tinygrad_edu import nn  # noqa: E402

try:
    import torch
except ImportError:  # PyTorch is an optional reference
    torch = None

TARGETS = {32: 1.15, 128: 1.10, 1024: 1.05}
COMPILED = {32: 0.90, 128: 0.95, 1024: 1.00}  # tinygrad_edu.compile(step) (issue #19)
BETAS, EPS, LR = (0.9, 0.99), 1e-8, 1e-3


# ---------------------------------------------------------------------------- candidates
def tinygrad_step(
    weights: list[np.ndarray], x: np.ndarray, onehot: np.ndarray, loss: str, compiled: bool = False
):
    model = nn.Sequential(
        nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 40), nn.ReLU(), nn.Linear(40, 10)
    )
    for p, w in zip(model.parameters(), weights):
        p.data[...] = w
    opt = tg.optim.Adam(model.parameters(), lr=LR, betas=BETAS, eps=EPS)
    xb, ob = tg.from_numpy(x), tg.from_numpy(onehot)
    yb = tg.from_numpy(onehot.argmax(1).astype(np.int64))

    def forward_backward() -> None:
        logits = model(xb)
        if loss == "ce":
            value = F.cross_entropy(logits, yb)
        else:
            value = F.mse_loss(logits.softmax(dim=1), ob)
        opt.zero_grad()
        value.backward()

    def step() -> None:
        forward_backward()
        opt.step()

    def grads() -> list[np.ndarray]:
        forward_backward()
        return [p.grad.numpy().copy() for p in model.parameters()]

    if compiled:  # the whole step traced once and replayed (tinygrad_edu.compile)
        step = tg.compile(step)  # (the warm-up runs its eager and capturing calls)
    return step, grads


def compiled_step(weights: list[np.ndarray], x: np.ndarray, onehot: np.ndarray, loss: str):
    # first, on a pair of copies: 4 compiled steps (two of them replays) give bitwise the
    # parameters of 4 eager steps, or this fails loudly
    replayed, replayed_grads = tinygrad_step(weights, x, onehot, loss, compiled=True)
    eager, eager_grads = tinygrad_step(weights, x, onehot, loss)
    for _ in range(4):
        replayed()
        eager()
    assert replayed.replays == 2
    for a, b in zip(replayed_grads(), eager_grads()):
        np.testing.assert_array_equal(a, b, err_msg="compiled: the replayed steps differ")
    return tinygrad_step(weights, x, onehot, loss, compiled=True)


def numpy_step(weights: list[np.ndarray], x: np.ndarray, onehot: np.ndarray, loss: str):
    net = NumpyMLP(weights, lr=LR, betas=BETAS, eps=EPS, loss=loss)

    def step() -> None:
        net.step(x, onehot)

    def grads() -> list[np.ndarray]:
        net.gradients(x, onehot)
        return [g.copy() for g in net.grads]

    return step, grads


def torch_step(weights: list[np.ndarray], x: np.ndarray, onehot: np.ndarray, loss: str):
    tn = torch.nn
    model = tn.Sequential(
        tn.Linear(784, 128), tn.ReLU(), tn.Linear(128, 40), tn.ReLU(), tn.Linear(40, 10)
    )
    with torch.no_grad():
        for p, w in zip(model.parameters(), weights):
            p.copy_(torch.from_numpy(w))
    opt = torch.optim.Adam(model.parameters(), lr=LR, betas=BETAS, eps=EPS)
    xb, ob = torch.from_numpy(x), torch.from_numpy(onehot)
    yb = torch.from_numpy(onehot.argmax(1).astype(np.int64))
    TF = torch.nn.functional

    def forward_backward() -> None:
        logits = model(xb)
        if loss == "ce":
            value = TF.cross_entropy(logits, yb)
        else:
            value = TF.mse_loss(logits.softmax(dim=1), ob)
        opt.zero_grad()
        value.backward()

    def step() -> None:
        forward_backward()
        opt.step()

    def grads() -> list[np.ndarray]:
        forward_backward()
        return [p.grad.numpy().copy() for p in model.parameters()]

    return step, grads


# ---------------------------------------------------------------------------- timing
def check_same_gradients(grads: dict[str, Callable[[], list[np.ndarray]]]) -> None:
    reference = grads["numpy"]()
    for name, fn in grads.items():
        if name == "numpy":
            continue
        for i, (g, r) in enumerate(zip(fn(), reference)):
            scale = float(np.abs(r).max()) or 1.0
            np.testing.assert_allclose(
                g, r, rtol=1e-3, atol=1e-4 * scale, err_msg=f"{name}: gradient {i}"
            )


def time_block(step: Callable[[], None], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        step()
    return (time.perf_counter() - start) / n


def bench_batch(batch: int, args: argparse.Namespace) -> dict[str, list[float]]:
    rng = np.random.default_rng(batch)
    weights = init_weights(args.seed)
    x = rng.standard_normal((batch, 784)).astype(np.float32)
    onehot = np.eye(10, dtype=np.float32)[rng.integers(0, 10, batch)]

    makers = {"numpy": numpy_step, "tinygrad_edu": tinygrad_step, "compiled": compiled_step}
    if torch is not None:
        makers["torch"] = torch_step
    steps, grads = {}, {}
    for name, make in makers.items():
        steps[name], grads[name] = make(weights, x, onehot, args.loss)
    check_same_gradients(grads)

    for step in steps.values():  # warm up: allocate buffers, Adam state, BLAS threads
        time_block(step, 10)
    # steps per block: about args.block_s seconds of the hand-written network
    per = time_block(steps["numpy"], 10)
    n = max(5, int(args.block_s / max(per, 1e-6)))
    names = list(steps)
    times: dict[str, list[float]] = {k: [] for k in names}
    for block in range(args.blocks):
        order = names[block % len(names) :] + names[: block % len(names)]
        for name in order:
            times[name].append(time_block(steps[name], n))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, nargs="+", default=[32, 128, 1024])
    parser.add_argument("--blocks", type=int, default=9, help="alternating blocks (>= 7)")
    parser.add_argument("--block-s", type=float, default=0.15, help="seconds of NumPy per block")
    parser.add_argument("--loss", choices=["mse", "ce"], default="mse")
    parser.add_argument("--seed", type=int, default=0)
    add_threads_arg(parser)
    args = parser.parse_args()
    if args.blocks < 7:
        parser.error("--blocks must be at least 7")
    set_torch_threads(torch, THREADS)
    print(describe(THREADS, torch))
    print(f"loss {args.loss}; {args.blocks} alternating blocks; medians per step\n")
    header = (
        f"{'batch':>6} {'numpy':>10} {'tinygrad_edu':>14} {'ratio':>6} {'target':>7}      "
        f"{'compiled':>10} {'ratio':>6} {'target':>7}     "
    )
    if torch is not None:
        header += f" {'torch':>10} {'ratio':>6}"
    print(header)
    for batch in args.batches:
        times = bench_batch(batch, args)
        med = {k: statistics.median(v) for k, v in times.items()}
        base = med["numpy"]
        line = f"{batch:>6} {base * 1e3:8.3f}ms"
        for name, targets, width in (("tinygrad_edu", TARGETS, 12), ("compiled", COMPILED, 8)):
            ratio = med[name] / base
            target = targets.get(batch)
            verdict = "" if target is None else ("PASS" if ratio <= target else "FAIL")
            goal = f"<= {target}" if target else ""
            line += f" {med[name] * 1e3:{width}.3f}ms {ratio:6.2f} {goal:>7} {verdict:4}"
        if torch is not None:
            line += f" {med['torch'] * 1e3:8.3f}ms {med['torch'] / base:6.2f}"
        print(line)
        for name in ("tinygrad_edu", "compiled"):
            spread = [t / n for t, n in zip(times[name], times["numpy"])]
            print(
                f"{'':>6} per-block {name}/numpy: min {min(spread):.2f} "
                f"median {statistics.median(spread):.2f} max {max(spread):.2f}"
            )


if __name__ == "__main__":
    main()
