"""Memory: peak RSS of a 1-epoch MNIST run, tinygrad_edu vs hand-written NumPy, and that
RSS stays flat over 1,000 training steps (every step's graph is freed).

Each measurement runs in a fresh subprocess (this script with ``--child``), so each has its
own peak: the child reports its ``ru_maxrss``, the number ``/usr/bin/time -v`` prints as
"Maximum resident set size". Both runs load MNIST the same way (``numpy_mlp.load``:
float32, standardised in place; about 210 MB for train + test), so the difference is the
framework: its modules, its graph, its gradient and optimizer buffers, its batches. The
peak is also taken for the training alone (the kernel's VmHWM is reset after loading).

  epoch   1 epoch of 469 steps at batch 128, softmax + MSE, Adam(0.9, 0.99, 1e-8), shuffled:
          tinygrad_edu as examples/mnist_mlp.py does it (nn.Sequential, DataLoader,
          zero_grad/backward/step, loss.item() each step) vs NumpyMLP.step
  steps   1,000 steps over the same data; the RSS is sampled every 100 steps and the
          least-squares slope from step 100 on is reported in MB per 1,000 steps

Target (issue #8): peak RSS <= hand-written NumPy + 30 MB; the slope should be ~0.

Run:  python benchmarks/memory.py [--data DIR] [--threads 1]
"""

from __future__ import annotations

from _bench import threads_from_argv

THREADS = threads_from_argv()  # before NumPy is imported

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from _bench import (  # noqa: E402
    REPO,
    add_threads_arg,
    current_rss_mb,
    describe,
    hwm_rss_mb,
    mnist_dir,
    peak_rss_mb,
    reset_peak_rss,
)
from numpy_mlp import NumpyMLP, load_standardised  # noqa: E402

TARGET_MB = 30
BATCH = 128


def numpy_stepper(x, onehot):
    net = NumpyMLP(loss="mse", seed=0)
    rng = np.random.default_rng(0)

    def batches():
        while True:
            order = rng.permutation(len(x))
            for i in range(0, len(order), BATCH):
                idx = order[i : i + BATCH]
                yield x[idx], onehot[idx]

    def evaluate(x_test, y_test):
        return float(np.mean(net.predict(x_test) == y_test))

    return batches(), net.step, evaluate


def tinygrad_stepper(x, onehot):
    import tinygrad_edu as tg
    import tinygrad_edu.nn.functional as F
    from tinygrad_edu import nn
    from tinygrad_edu.utils.data import DataLoader, TensorDataset

    tg.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 40), nn.ReLU(), nn.Linear(40, 10)
    )
    opt = tg.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.99), eps=1e-8)
    loader = DataLoader(
        TensorDataset(tg.from_numpy(x), tg.from_numpy(onehot)), batch_size=BATCH, shuffle=True
    )

    def batches():
        while True:
            yield from loader

    def step(xb, ob):
        loss = F.mse_loss(model(xb).softmax(dim=1), ob)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    def evaluate(x_test, y_test):
        with tg.no_grad():
            pred = model(tg.from_numpy(x_test)).argmax(dim=1).numpy()
        return float(np.mean(pred == y_test))

    return batches(), step, evaluate


def child(kind: str, mode: str, data: str | None) -> dict[str, object]:
    x_train, y_train, x_test, y_test = load_standardised(mnist_dir(data))
    onehot = np.eye(10, dtype=np.float32)[y_train]
    gc.collect()
    after_data = current_rss_mb()
    load_peak = peak_rss_mb()
    reset = reset_peak_rss()  # so the training peak is seen apart from the loading peak
    make = numpy_stepper if kind == "numpy" else tinygrad_stepper
    batches, step, evaluate = make(x_train, onehot)
    result: dict[str, object] = {"kind": kind, "mode": mode, "after_data_mb": after_data}
    start = time.perf_counter()
    if mode == "epoch":
        for _ in range(-(-len(x_train) // BATCH)):
            step(*next(batches))
        result["test_acc"] = evaluate(x_test, y_test)
    else:
        samples = []
        for i in range(1, 1001):
            step(*next(batches))
            if i % 100 == 0:
                samples.append((i, current_rss_mb()))
        result["samples"] = samples
        steps, rss = np.array(samples, dtype=float).T  # from step 100: past the warm-up
        result["slope_mb_per_1000"] = float(np.polyfit(steps, rss, 1)[0] * 1000)
    result["seconds"] = time.perf_counter() - start
    # resetting VmHWM resets ru_maxrss too: the whole-run peak is the larger of the two
    result["train_peak_mb"] = hwm_rss_mb() if reset else float("nan")
    result["peak_rss_mb"] = max(load_peak, peak_rss_mb())
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="directory of the MNIST IDX files")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "MODE"), help=argparse.SUPPRESS)
    add_threads_arg(parser)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], args.data)))
        return

    print(describe(THREADS))
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    results: dict[tuple[str, str], dict] = {}
    for mode in ("epoch", "steps"):
        for kind in ("numpy", "tinygrad_edu"):
            cmd = [sys.executable, __file__, "--child", kind, mode]
            cmd += ["--threads", str(THREADS or 0)]
            if args.data:
                cmd += ["--data", args.data]
            out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
            results[kind, mode] = json.loads(out.stdout.strip().splitlines()[-1])

    print(f"\n1 epoch, batch {BATCH} (each in its own process):")
    print(
        f"{'':>14} {'peak RSS MB':>12} {'after data MB':>14} {'training peak MB':>17} "
        f"{'test acc':>9} {'seconds':>8}"
    )
    for kind in ("numpy", "tinygrad_edu"):
        r = results[kind, "epoch"]
        print(
            f"{kind:>14} {r['peak_rss_mb']:12.1f} {r['after_data_mb']:14.1f} "
            f"{r['train_peak_mb']:17.1f} {r['test_acc'] * 100:8.2f}% {r['seconds']:8.2f}"
        )
    np_run, tg_run = results["numpy", "epoch"], results["tinygrad_edu", "epoch"]
    for label, key in (("whole-run peak", "peak_rss_mb"), ("training peak", "train_peak_mb")):
        extra = tg_run[key] - np_run[key]
        verdict = "PASS" if extra <= TARGET_MB else "FAIL"
        print(f"tinygrad_edu - numpy, {label}: {extra:+.1f} MB (target <= +{TARGET_MB}: {verdict})")
    print("(a whole-run peak set while the data loads is the same code in both runs)")

    print("\n1,000 steps: RSS (MB) every 100 steps, and the slope from step 100 on")
    for kind in ("numpy", "tinygrad_edu"):
        r = results[kind, "steps"]
        rss = " ".join(f"{v:.0f}" for _, v in r["samples"])
        print(f"{kind:>14}: {rss}   slope {r['slope_mb_per_1000']:+.2f} MB / 1,000 steps")


if __name__ == "__main__":
    main()
