"""Where does tinygrad_edu's MNIST training step spend its time? Per op and per phase.

Wraps (at run time, without changing the package) every ``Function`` subclass's forward
and backward, ``Function.apply`` and the engine's helpers with timers, runs the
mnist_mlp.py step (softmax + MSE, Adam) ``--steps`` times at ``--batch`` and prints
microseconds per step for each, largest first:

    PHASE x            wall time of forward / loss / zero_grad / backward / Adam
    fwd apply(incl) C  C.apply at forward time, including C.forward
    fwd forward() C    C.forward alone (apply's own overhead is the difference)
    bwd C              C.backward as the engine calls it (with the ops it runs inside)
    engine f           the engine's helpers (_deliver_to_leaf, _check_grad, ...)

The timers add about a microsecond per call; compare with mlp_step.py for true totals.
``--cprofile`` prints cProfile's table instead (its overhead is larger, but it sees
everything).

Run:  python benchmarks/profile_step.py [--batch 128] [--steps 1000] [--threads 1]
"""

from __future__ import annotations

from _bench import threads_from_argv

THREADS = threads_from_argv()  # before NumPy is imported

import argparse  # noqa: E402
import collections  # noqa: E402
import cProfile  # noqa: E402
import pstats  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from _bench import add_threads_arg, describe  # noqa: E402
from numpy_mlp import init_weights  # noqa: E402

import tinygrad_edu as tg  # noqa: E402
import tinygrad_edu.nn.functional as F  # noqa: E402
from tinygrad_edu import nn  # noqa: E402
from tinygrad_edu.autograd import engine  # noqa: E402
from tinygrad_edu.autograd import function as function_module  # noqa: E402

clock = time.perf_counter
TOTAL: dict[str, float] = collections.defaultdict(float)
CALLS: dict[str, int] = collections.defaultdict(int)
IN_BACKWARD = [False]


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _timed_forward(name, fn):
    def forward(ctx, *args, **kwargs):
        if IN_BACKWARD[0]:
            return fn(ctx, *args, **kwargs)
        start = clock()
        out = fn(ctx, *args, **kwargs)
        TOTAL["fwd forward() " + name] += clock() - start
        return out

    return staticmethod(forward)


def _timed_backward(name, fn):
    def backward(ctx, grad):
        if IN_BACKWARD[0]:
            return fn(ctx, grad)
        IN_BACKWARD[0] = True
        start = clock()
        try:
            return fn(ctx, grad)
        finally:
            TOTAL["bwd " + name] += clock() - start
            CALLS["bwd " + name] += 1
            IN_BACKWARD[0] = False

    return staticmethod(backward)


def _timed_helper(name, fn):
    def helper(*args, **kwargs):
        start = clock()
        out = fn(*args, **kwargs)
        TOTAL["engine " + name] += clock() - start
        CALLS["engine " + name] += 1
        return out

    return helper


def instrument() -> None:
    Function = function_module.Function
    apply = Function.apply.__func__

    def timed_apply(cls, *args, **kwargs):
        if IN_BACKWARD[0]:
            return apply(cls, *args, **kwargs)
        start = clock()
        out = apply(cls, *args, **kwargs)
        TOTAL["fwd apply(incl) " + cls.__name__] += clock() - start
        CALLS["fwd apply(incl) " + cls.__name__] += 1
        return out

    Function.apply = classmethod(timed_apply)
    for cls in list(_subclasses(Function)):
        for attr, wrap in (("forward", _timed_forward), ("backward", _timed_backward)):
            raw = cls.__dict__.get(attr)
            if raw is not None:
                fn = raw.__func__ if isinstance(raw, staticmethod) else raw
                setattr(cls, attr, wrap(cls.__name__, fn))
    for name in ("_deliver_to_leaf", "_check_grad", "_topological_order", "_add"):
        if hasattr(engine, name):
            setattr(engine, name, _timed_helper(name, getattr(engine, name)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--cprofile", action="store_true")
    add_threads_arg(parser)
    args = parser.parse_args()
    print(describe(THREADS))

    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.batch, 784)).astype(np.float32)
    onehot = np.eye(10, dtype=np.float32)[rng.integers(0, 10, args.batch)]
    model = nn.Sequential(
        nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 40), nn.ReLU(), nn.Linear(40, 10)
    )
    for p, w in zip(model.parameters(), init_weights()):
        p.data[...] = w
    opt = tg.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.99), eps=1e-8)
    xb, ob = tg.from_numpy(x), tg.from_numpy(onehot)

    def step(phases: bool) -> None:
        t0 = clock()
        out = model(xb)
        t1 = clock()
        loss = F.mse_loss(out.softmax(dim=1), ob)
        t2 = clock()
        opt.zero_grad()
        t3 = clock()
        loss.backward()
        t4 = clock()
        opt.step()
        t5 = clock()
        if phases:
            for name, a, b in (
                ("forward", t0, t1),
                ("loss", t1, t2),
                ("zero_grad", t2, t3),
                ("backward", t3, t4),
                ("adam", t4, t5),
            ):
                TOTAL["PHASE " + name] += b - a

    for _ in range(100):
        step(False)
    if args.cprofile:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.steps):
            step(False)
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(40)
        return
    instrument()
    for _ in range(20):
        step(False)
    TOTAL.clear()
    CALLS.clear()
    for _ in range(args.steps):
        step(True)
    print(f"batch {args.batch}, {args.steps} steps; microseconds per step, calls per step")
    for key in sorted(TOTAL, key=lambda k: -TOTAL[k]):
        n = CALLS.get(key, 0) / args.steps
        print(f"{TOTAL[key] / args.steps * 1e6:9.1f} us  {n:5.1f}/step  {key}")


if __name__ == "__main__":
    main()
