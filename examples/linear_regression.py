"""Fit a line by gradient descent, then compare four optimizers on the same problem.

The source's optimization notebook (SPEC §3), reproduced with tinygrad_edu's optimizers:

1. 50 noisy points on y = 3x + 2 (noise N(0, 2), x in linspace(0, 10), seed 42). Start at
   w = 0.1, b = 0.5 and run 200 epochs of full-batch gradient descent, lr 0.01, on the mean
   squared error. The autograd tape computes exactly the notebook's hand-written gradients,
   dL/dw = -2/n sum x (y - yhat) and dL/db = -2/n sum (y - yhat). Prints the snapshots at
   epochs 0, 1, 2, 5, 10, 50, 100, 200 and draws the fitted lines and the (w, b) path on
   the loss contour.
2. 500 epochs from the same start with four optimizers, the notebook's settings:
   SGD lr 0.01, Momentum lr 0.01 in its moving-average form, RMSProp lr 0.01 (beta 0.999)
   and Adam lr 0.1. Every step uses all 50 points, so "SGD" here is plain gradient descent.
   The end points are compared with the exact least-squares line from ``numpy.polyfit``.

Run:  python examples/linear_regression.py [--epochs 200] [--compare-epochs 500] [--out DIR]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import _cli
import numpy as np

import tinygrad_edu as tg
from tinygrad_edu.datasets import linear_regression

START = (0.1, 0.5)  # the notebook's initial (w, b)
SNAPSHOTS = (0, 1, 2, 5, 10, 50, 100, 200)
BETA = 0.9  # the momentum coefficient of the comparison


def mse(w: np.ndarray | float, b: np.ndarray | float, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The loss at (w, b), in NumPy: broadcasts over grids of w and b for the contours."""
    w, b = np.asarray(w)[..., None], np.asarray(b)[..., None]
    return np.mean((y - (w * x + b)) ** 2, axis=-1)


def optimizers() -> dict[str, Callable[[list[tg.Tensor]], tg.optim.Optimizer]]:
    """The four optimizers of the comparison, in PyTorch terms (OPTIM.md §6 has the proofs).

    - Momentum, as the notebook writes it, keeps a moving average v = beta v + (1-beta) g
      and steps theta -= lr v. torch's SGD keeps the undamped sum b = beta b + g, which is
      v / (1 - beta), so the same steps are SGD(momentum=beta, lr=lr * (1 - beta)).
    - RMSProp: v = beta2 v + (1 - beta2) g^2, theta -= lr g / sqrt(v); that is torch's
      RMSprop with alpha = beta2 (torch adds eps = 1e-8 to the root, which changes nothing
      visible here).
    """
    return {
        "SGD": lambda p: tg.optim.SGD(p, lr=0.01),
        "Momentum": lambda p: tg.optim.SGD(p, lr=0.01 * (1 - BETA), momentum=BETA),
        "RMSProp": lambda p: tg.optim.RMSprop(p, lr=0.01, alpha=0.999),
        "Adam": lambda p: tg.optim.Adam(p, lr=0.1),
    }


def fit(
    make_optimizer: Callable[[list[tg.Tensor]], tg.optim.Optimizer],
    x: tg.Tensor,
    y: tg.Tensor,
    epochs: int,
) -> np.ndarray:
    """Train y = w x + b from START; returns the path, an (epochs + 1, 2) array of (w, b).

    Row k holds the parameters after k updates, so row 0 is the start.
    """
    w = tg.tensor(START[0], dtype=tg.float64, requires_grad=True)
    b = tg.tensor(START[1], dtype=tg.float64, requires_grad=True)
    optimizer = make_optimizer([w, b])
    path = [START]
    for _ in range(epochs):
        loss = ((y - (w * x + b)) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()  # w.grad = -2/n sum x (y - yhat), b.grad = -2/n sum (y - yhat)
        optimizer.step()
        path.append((w.item(), b.item()))
    return np.array(path)


def run(args: argparse.Namespace) -> dict[str, object]:
    x_np, y_np = linear_regression(n=50, seed=42)
    x, y = tg.from_numpy(x_np), tg.from_numpy(y_np)
    w_ls, b_ls = np.polyfit(x_np, y_np, 1)  # the exact least-squares line, for reference
    loss_ls = float(mse(w_ls, b_ls, x_np, y_np))
    print(f"least squares (numpy.polyfit): w = {w_ls:.4f}, b = {b_ls:.4f}, loss {loss_ls:.4f}")

    # Part 1: plain gradient descent with snapshots.
    print(f"\ngradient descent, lr 0.01, {args.epochs} epochs from w = 0.1, b = 0.5:")
    gd_path = fit(optimizers()["SGD"], x, y, args.epochs)
    snapshots = {}
    for epoch in (e for e in SNAPSHOTS if e <= args.epochs):
        w, b = gd_path[epoch]
        snapshots[epoch] = (float(w), float(b), float(mse(w, b, x_np, y_np)))
        print(f"  epoch {epoch:4d}: w = {w:.4f}  b = {b:.4f}  loss {snapshots[epoch][2]:.4f}")

    # Part 2: four optimizers for --compare-epochs from the same start.
    print(f"\n{args.compare_epochs} epochs from the same start:")
    paths, final = {}, {}
    for name, make in optimizers().items():
        paths[name] = path = fit(make, x, y, args.compare_epochs)
        w, b = path[-1]
        distance = float(np.hypot(w - w_ls, b - b_ls))
        final[name] = {"w": float(w), "b": float(b), "loss": float(mse(w, b, x_np, y_np))}
        final[name]["distance"] = distance
        print(
            f"  {name:8s}  w = {w:.4f}  b = {b:.4f}  loss {final[name]['loss']:.4f}  "
            f"distance to the least-squares fit {distance:.4f}"
        )

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    plot(x_np, y_np, gd_path, snapshots, paths, (w_ls, b_ls), out)
    return {
        "polyfit": (float(w_ls), float(b_ls)),
        "start_distance": float(np.hypot(START[0] - w_ls, START[1] - b_ls)),
        "snapshots": snapshots,
        "final": final,
    }


def contour(ax, x: np.ndarray, y: np.ndarray, best: tuple[float, float]) -> None:
    """Log-spaced loss contours over the region the paths cross, with the minimum marked."""
    W, B = np.meshgrid(np.linspace(-0.5, 5.0, 200), np.linspace(-1.0, 4.0, 200))
    Z = mse(W, B, x, y)
    ax.contour(W, B, Z, levels=np.geomspace(Z.min() * 1.01, Z.max(), 25), cmap="viridis")
    ax.plot(*best, "r*", markersize=14, label="least squares")
    ax.set_xlabel("w")
    ax.set_ylabel("b")


def plot(x, y, gd_path, snapshots, paths, best, out: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plots (pip install matplotlib)")
        return

    # Figure 1: the fitted line at each snapshot, and the GD path on the loss contour.
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    left.scatter(x, y, s=12, color="black", label="data")
    colors = plt.cm.plasma(np.linspace(0, 0.9, len(snapshots)))
    for color, (epoch, (w, b, loss)) in zip(colors, snapshots.items()):
        left.plot(x, w * x + b, color=color, label=f"epoch {epoch}: loss {loss:.2f}")
    left.set_title("gradient descent, lr 0.01: the line at each snapshot")
    left.set_xlabel("x")
    left.set_ylabel("y")
    left.legend(fontsize=8)
    contour(right, x, y, best)
    right.plot(gd_path[:, 0], gd_path[:, 1], "o-", markersize=2, color="tab:red", label="GD")
    for epoch in snapshots:
        right.annotate(str(epoch), gd_path[epoch], fontsize=8, xytext=(4, -10),
                       textcoords="offset points")  # fmt: skip
    right.set_title("the (w, b) path on the loss contour")
    right.legend()
    fig.tight_layout()
    fig.savefig(out / "linear_regression_gd.png", dpi=100)
    plt.close(fig)

    # Figure 2: loss per epoch and paths of the four optimizers.
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    loss_ls = float(mse(*best, x, y))
    for name, path in paths.items():
        left.semilogy(mse(path[:, 0], path[:, 1], x, y) - loss_ls, label=name)
        right.plot(path[:, 0], path[:, 1], "-", linewidth=1.5, label=name)
    left.set_title("loss minus the least-squares loss")
    left.set_xlabel("epoch")
    left.set_ylabel("MSE − least-squares MSE (log scale)")
    left.legend()
    contour(right, x, y, best)
    right.set_title("(w, b) paths from w = 0.1, b = 0.5")
    right.legend(loc="lower right")  # the paths run through the upper half
    fig.tight_layout()
    fig.savefig(out / "linear_regression_optimizers.png", dpi=100)
    plt.close(fig)
    print(f"\nwrote linear_regression_gd.png and linear_regression_optimizers.png to {out}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = _cli.Parser(description="Linear regression by GD and four optimizers.")
    parser.add_argument(
        "--epochs", type=_cli.positive_int, default=200, help="epochs of part 1 (GD)"
    )
    parser.add_argument(
        "--compare-epochs", type=_cli.positive_int, default=500, help="epochs of part 2"
    )
    parser.add_argument("--out", default="out", help="where the PNG figures go")
    args = parser.parse_args(argv)
    _cli.out_dir(parser, args.out)
    return args


def main(argv: list[str] | None = None) -> dict[str, object]:
    return run(parse_args(argv))


if __name__ == "__main__":
    main()
