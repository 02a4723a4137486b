"""How many epochs Adam and plain gradient descent need on Iris.

The source's Iris comparison (SPEC §4), reproduced with tinygrad_edu:

- Iris, 150 x 4, every row scaled to unit L2 norm; 33% held out for testing, chosen the way
  scikit-learn's ``train_test_split(test_size=0.33, shuffle=True, random_state=42)`` does
  (``RandomState(42).permutation(150)``, the first 50 rows to test, the other 100 to train).
- Network 4 -> 10 (leaky ReLU, slope 0.01) -> 3, softmax cross-entropy, full batch, lr 0.01;
  Adam with betas (0.9, 0.999) against plain gradient descent (SGD without momentum).

"Reaching the optimum" needs a definition, since neither run ever lands exactly on it:

- the optimum J* is the lowest training cost Adam reaches in ``--reference-epochs`` epochs
  (5,000 by default; it has flattened out by then, at about 0.069);
- a run has reached the optimum's neighbourhood at the first epoch whose cost is at most
  J* + delta, with delta = 0.05 (``--delta``) nats of cross-entropy.

The source reports about 250 epochs for Adam and 19,000 for gradient descent. With delta
0.05 this example gives 242 and 18,951; a tighter delta makes both larger and the ratio
about the same (see examples/README.md).

Run:  python examples/iris_adam_vs_gd.py [--delta 0.05] [--max-epochs 40000] [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import _cli
import numpy as np

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn
from tinygrad_edu.datasets import iris


def split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Unit-norm rows, then scikit-learn's shuffled 67/33 split with seed 42."""
    X, y, _ = iris()
    X = (X / np.linalg.norm(X, axis=1, keepdims=True)).astype(np.float32)
    order = np.random.RandomState(42).permutation(len(X))
    n_test = int(np.ceil(0.33 * len(X)))  # 50, as scikit-learn rounds the test share up
    test, train = order[:n_test], order[n_test:]
    return X[train], y[train], X[test], y[test]


def build_model() -> nn.Module:
    # The logits: cross_entropy applies the softmax itself, in a numerically stable way.
    return nn.Sequential(nn.Linear(4, 10), nn.LeakyReLU(0.01), nn.Linear(10, 3))


def train(
    optimizer_name: str, initial: dict, X: tg.Tensor, y: tg.Tensor, epochs: int, stop_at: float
) -> tuple[list[float], nn.Module]:
    """Full-batch training from ``initial``; stops early once the cost is <= ``stop_at``."""
    model = build_model()
    model.load_state_dict(initial)  # both optimizers start from the same weights
    if optimizer_name == "Adam":
        optimizer = tg.optim.Adam(model.parameters(), lr=0.01, betas=(0.9, 0.999))
    else:
        optimizer = tg.optim.SGD(model.parameters(), lr=0.01)
    costs = []
    for _ in range(epochs):
        loss = F.cross_entropy(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        costs.append(loss.item())  # the cost before this epoch's update
        if costs[-1] <= stop_at:
            break
    return costs, model


def accuracy(model: nn.Module, X: tg.Tensor, y: np.ndarray) -> float:
    with tg.no_grad():
        return float(np.mean(model(X).argmax(dim=1).numpy() == y))


def run(args: argparse.Namespace) -> dict[str, object]:
    x_train, y_train, x_test, y_test = split()
    X, y = tg.from_numpy(x_train), tg.from_numpy(y_train)
    tg.manual_seed(args.seed)
    initial = build_model().state_dict()

    reference, _ = train("Adam", initial, X, y, args.reference_epochs, stop_at=-np.inf)
    optimum = min(reference)
    target = optimum + args.delta
    print(f"Iris: {len(x_train)} training rows, {len(x_test)} test rows; 4-10-3, lr 0.01")
    print(
        f"optimum J* = {optimum:.4f} (lowest cost of {args.reference_epochs} Adam epochs); "
        f"neighbourhood: cost <= J* + {args.delta} = {target:.4f}"
    )

    results = {}
    for name in ("Adam", "GD"):
        costs, model = train(name, initial, X, y, args.max_epochs, stop_at=target)
        reached = costs[-1] <= target
        results[name] = {
            "epochs": len(costs) if reached else None,
            "costs": costs,
            "test_acc": accuracy(model, tg.from_numpy(x_test), y_test),
        }
        when = f"after {len(costs):,} epochs" if reached else f"not within {len(costs):,} epochs"
        print(
            f"  {name:4s} reaches the neighbourhood {when}  "
            f"(cost {costs[-1]:.4f}, test accuracy {results[name]['test_acc']:.0%})"
        )
    adam, gd = results["Adam"]["epochs"], results["GD"]["epochs"]
    ratio = gd / adam if adam and gd else None
    if ratio:
        print(f"gradient descent needs {ratio:.0f} times as many epochs as Adam")
    else:
        print("no ratio: raise --max-epochs for a run to reach the neighbourhood")

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    plot(reference, results, optimum, target, out / "iris_adam_vs_gd.png")
    return {
        "optimum": optimum,
        "target": target,
        "adam_epochs": adam,
        "gd_epochs": gd,
        "ratio": ratio,
        "test_acc": {name: r["test_acc"] for name, r in results.items()},
    }


def plot(reference, results, optimum, target, path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot (pip install matplotlib)")
        return
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.plot(np.arange(1, len(reference) + 1), reference, color="tab:blue", alpha=0.3,
            label="Adam, reference run")  # fmt: skip
    for name, color in (("Adam", "tab:blue"), ("GD", "tab:orange")):
        costs, epochs = results[name]["costs"], results[name]["epochs"]
        label = f"{name}: {epochs:,} epochs" if epochs else f"{name}: not reached"
        ax.plot(np.arange(1, len(costs) + 1), costs, color=color, label=label)
        if epochs:
            ax.axvline(epochs, color=color, linestyle=":")
    ax.axhline(optimum, color="gray", linewidth=0.8, label=f"J* = {optimum:.3f}")
    ax.axhline(target, color="black", linestyle="--", linewidth=0.8, label="J* + delta")
    ax.set_xscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training cross-entropy")
    ax.set_title("Iris 4-10-3: epochs to the optimum's neighbourhood, lr 0.01")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"wrote {path}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = _cli.Parser(description="Epochs to the optimum: Adam vs GD on Iris.")
    parser.add_argument("--delta", type=_cli.positive_float, default=0.05,
                        help="size of the neighbourhood")  # fmt: skip
    parser.add_argument("--reference-epochs", type=_cli.positive_int, default=5000,
                        help="Adam epochs that define the optimum J*")  # fmt: skip
    parser.add_argument("--max-epochs", type=_cli.positive_int, default=40000,
                        help="give up after this many")  # fmt: skip
    parser.add_argument("--seed", type=int, default=0, help="seed of the initial weights")
    parser.add_argument("--out", default="out", help="where the PNG figure goes")
    args = parser.parse_args(argv)
    _cli.out_dir(parser, args.out)
    return args


def main(argv: list[str] | None = None) -> dict[str, object]:
    return run(parse_args(argv))


if __name__ == "__main__":
    main()
