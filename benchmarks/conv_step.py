"""One training step of pytorch/examples' MNIST CNN: tinygrad_edu against PyTorch (CPU).

The step is examples/mnist_cnn.py's: zero_grad, forward (conv 1->32 3x3, ReLU, conv 32->64
3x3, ReLU, max_pool2d 2, dropout 0.25, flatten, Linear 9216->128, ReLU, dropout 0.5,
Linear 128->10, log_softmax), nll_loss, backward, Adadelta(lr=1.0) step, at batch 64 on
synthetic images (the cost does not depend on the values). Both networks start from the
same weights; before timing, one step's gradients (dropout off) are compared, so a fast
but wrong candidate fails loudly.

The two run in alternating blocks in one process, with one BLAS thread (threadpoolctl /
OPENBLAS_NUM_THREADS) and ``torch.set_num_threads(1)``; the median time per step of each
is compared. Then it shows where tinygrad_edu's time goes: forward / backward / optimizer
for both, and the most expensive functions of a profiled run (cProfile, by own time).

Target (issue #15): tinygrad_edu / PyTorch <= 2.

Run:  python benchmarks/conv_step.py [--threads 1] [--blocks 7] [--batch 64]
"""

from __future__ import annotations

from _bench import threads_from_argv

THREADS = threads_from_argv()  # before NumPy is imported

import argparse  # noqa: E402
import cProfile  # noqa: E402
import io  # noqa: E402
import pstats  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from _bench import add_threads_arg, describe, set_torch_threads  # noqa: E402

import tinygrad_edu as tg  # noqa: E402
import tinygrad_edu.nn.functional as F  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
from mnist_cnn import Net  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

TARGET = 2.0


def torch_net():
    """The same network in PyTorch (pytorch/examples mnist/main.py)."""
    nn, TF = torch.nn, torch.nn.functional

    class TorchNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 32, 3, 1)
            self.conv2 = nn.Conv2d(32, 64, 3, 1)
            self.dropout1 = nn.Dropout(0.25)
            self.dropout2 = nn.Dropout(0.5)
            self.fc1 = nn.Linear(9216, 128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):
            x = TF.relu(self.conv2(TF.relu(self.conv1(x))))
            x = self.dropout1(TF.max_pool2d(x, 2))
            x = self.dropout2(TF.relu(self.fc1(torch.flatten(x, 1))))
            return TF.log_softmax(self.fc2(x), dim=1)

    return TorchNet()


def make_steps(batch: int, seed: int):
    """The two training steps (callables), with their models and optimizers."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    torch.manual_seed(seed)
    ref = torch_net()
    ours = Net()
    ours.load_state_dict({k: tg.tensor(v.detach().numpy()) for k, v in ref.state_dict().items()})
    opt_ours = tg.optim.Adadelta(ours.parameters(), lr=1.0)
    opt_ref = torch.optim.Adadelta(ref.parameters(), lr=1.0)
    xt, yt = tg.tensor(x), tg.tensor(y)
    xr, yr = torch.tensor(x), torch.tensor(y)

    def step_ours() -> None:
        opt_ours.zero_grad()
        F.nll_loss(ours(xt), yt).backward()
        opt_ours.step()

    def step_ref() -> None:
        opt_ref.zero_grad()
        torch.nn.functional.nll_loss(ref(xr), yr).backward()
        opt_ref.step()

    def timed(model, opt, loss_of) -> list[float]:
        t0 = time.perf_counter()
        opt.zero_grad()
        loss = loss_of(model)
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        opt.step()
        t3 = time.perf_counter()
        return [t1 - t0, t2 - t1, t3 - t2]

    phases = {
        "tinygrad_edu": lambda: timed(ours, opt_ours, lambda m: F.nll_loss(m(xt), yt)),
        "torch": lambda: timed(ref, opt_ref, lambda m: torch.nn.functional.nll_loss(m(xr), yr)),
    }
    check = (ours, ref, xt, yt, xr, yr)
    return {"tinygrad_edu": step_ours, "torch": step_ref}, phases, check


def check_same_gradients(ours, ref, xt, yt, xr, yr) -> None:
    """One step's gradients with dropout off must agree (float32 tolerance)."""
    ours.eval()
    ref.eval()
    F.nll_loss(ours(xt), yt).backward()
    torch.nn.functional.nll_loss(ref(xr), yr).backward()
    for (name, p), (_, q) in zip(ours.named_parameters(), ref.named_parameters()):
        scale = float(q.grad.abs().max()) or 1.0
        err = float(np.abs(p.grad.numpy() - q.grad.numpy()).max()) / scale
        if err > 1e-4:
            raise SystemExit(f"gradients differ for {name}: max error {err:.2e} of max |grad|")
        p.grad = None
        q.grad = None
    ours.train()
    ref.train()


def time_block(step: Callable[[], None], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        step()
    return (time.perf_counter() - start) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--blocks", type=int, default=7, help="alternating blocks")
    parser.add_argument("--steps", type=int, default=5, help="steps per block")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profile-steps", type=int, default=5)
    add_threads_arg(parser)
    args = parser.parse_args()
    if torch is None:
        raise SystemExit("PyTorch is not installed: this benchmark compares against it")
    set_torch_threads(torch, THREADS)
    print(describe(THREADS, torch))
    steps, phases, check = make_steps(args.batch, args.seed)
    check_same_gradients(*check)
    print(f"batch {args.batch}; gradients checked against PyTorch; {args.blocks} blocks\n")

    for step in steps.values():  # warm up: buffers, optimizer state, oneDNN primitives
        time_block(step, 3)
    names = list(steps)
    times: dict[str, list[float]] = {k: [] for k in names}
    for block in range(args.blocks):
        for name in names[block % 2 :] + names[: block % 2]:
            times[name].append(time_block(steps[name], args.steps))
    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = med["tinygrad_edu"] / med["torch"]
    verdict = "PASS" if ratio <= TARGET else "FAIL"
    print(f"{'':14} {'ms/step':>9} {'forward':>9} {'backward':>9} {'optimizer':>9}")
    for name in names:
        parts = np.median([phases[name]() for _ in range(args.steps * 2)], axis=0) * 1e3
        print(f"{name:14} {med[name] * 1e3:9.1f} {parts[0]:9.1f} {parts[1]:9.1f} {parts[2]:9.1f}")
    spread = [a / b for a, b in zip(times["tinygrad_edu"], times["torch"])]
    print(
        f"\ntinygrad_edu / torch: {ratio:.2f} (target <= {TARGET}: {verdict}); per block min "
        f"{min(spread):.2f} median {statistics.median(spread):.2f} max {max(spread):.2f}"
    )

    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.profile_steps):
        steps["tinygrad_edu"]()
    profile.disable()
    stats = pstats.Stats(profile, stream=io.StringIO())
    total = sum(v[2] for v in stats.stats.values())
    print(f"\nwhere tinygrad_edu's time goes ({args.profile_steps} profiled steps, own time):")
    rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:14]
    for (path, line, fn), (_, _calls, own, _cum, _) in rows:
        where = f"{Path(path).parent.name}/{Path(path).name}:{line}" if line else path
        per_step = own / args.profile_steps * 1e3
        print(f"  {own / total * 100:5.1f}%  {per_step:7.2f} ms/step  {fn}  ({where})")


if __name__ == "__main__":
    main()
