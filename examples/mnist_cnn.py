"""The canonical MNIST CNN: pytorch/examples' ``mnist/main.py``, ported by changing imports.

Network (1,199,882 parameters)::

    Conv2d(1, 32, 3) -> ReLU -> Conv2d(32, 64, 3) -> ReLU -> max_pool2d(2) -> Dropout(0.25)
    -> flatten -> Linear(9216, 128) -> ReLU -> Dropout(0.5) -> Linear(128, 10) -> log_softmax

trained with nll_loss, Adadelta(lr=1.0), StepLR(step_size=1, gamma=0.7), batch 64, test
batch 1000, inputs normalised with MNIST's mean 0.1307 and std 0.3081, seed 1: the same
recipe as PyTorch's example (whose default is 14 epochs; one epoch reaches about 98.5%).

Per batch it records the training loss and accuracy; after each epoch it prints the test
set's average loss and accuracy, as the PyTorch example does. Then it saves the weights
with ``tinygrad_edu.save`` and, when matplotlib is installed, draws the training curves.

Data: the four MNIST IDX files, read from ``--data DIR``, else ``$TINYGRAD_EDU_DATA``, else
a cache directory (downloaded there where a network exists).

Run:  python examples/mnist_cnn.py [--epochs 1] [--data DIR] [--out DIR] [--seed 1]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import _cli
import numpy as np
from mnist_mlp import load_data  # the same files, and the same one-line errors

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn
from tinygrad_edu.datasets.mnist import ENV_VAR
from tinygrad_edu.optim.lr_scheduler import StepLR
from tinygrad_edu.utils.data import DataLoader, TensorDataset

try:
    from tqdm import tqdm
except ImportError:  # a plain line per epoch instead of a progress bar
    tqdm = None

MEAN, STD = 0.1307, 0.3081  # of the training images' pixels in [0, 1], as in PyTorch's example


class Net(nn.Module):
    """pytorch/examples mnist/main.py's network, line for line."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x: tg.Tensor) -> tg.Tensor:
        x = self.conv1(x)  # (N, 32, 26, 26)
        x = F.relu(x)
        x = self.conv2(x)  # (N, 64, 24, 24)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)  # (N, 64, 12, 12)
        x = self.dropout1(x)
        x = tg.flatten(x, 1)  # (N, 9216)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)


def evaluate(model: nn.Module, x: np.ndarray, y: np.ndarray, batch: int) -> tuple[float, float]:
    """The average loss and the accuracy on (x, y), in evaluation mode (no dropout)."""
    model.eval()
    total, correct = 0.0, 0
    with tg.no_grad():
        for i in range(0, len(x), batch):
            output = model(tg.from_numpy(x[i : i + batch]))
            target = tg.from_numpy(y[i : i + batch])
            total += F.nll_loss(output, target, reduction="sum").item()
            correct += int((output.argmax(dim=1).numpy() == y[i : i + batch]).sum())
    model.train()
    return total / len(x), correct / len(x)


def train(args: argparse.Namespace) -> dict[str, object]:
    """Train, report and save; returns the test accuracy, the time and the history."""
    with _cli.limit_threads(1):
        return _train(args)


def _train(args: argparse.Namespace) -> dict[str, object]:
    out = Path(args.out)
    tg.manual_seed(args.seed)
    x_train, y_train, x_test, y_test = load_data(args.data)
    x_train = ((x_train - MEAN) / STD).reshape(-1, 1, 28, 28).astype(np.float32)
    x_test = ((x_test - MEAN) / STD).reshape(-1, 1, 28, 28).astype(np.float32)
    if args.train_limit is not None:
        x_train, y_train = x_train[: args.train_limit], y_train[: args.train_limit]
    if args.test_limit is not None:
        x_test, y_test = x_test[: args.test_limit], y_test[: args.test_limit]

    model = Net()
    n_params = sum(p.numel() for p in model.parameters())
    print(f"model: the pytorch/examples MNIST CNN, {n_params:,} parameters; Adadelta lr {args.lr}")
    optimizer = tg.optim.Adadelta(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    loader = DataLoader(
        TensorDataset(tg.from_numpy(x_train), tg.from_numpy(y_train)),
        batch_size=args.batch_size,
        shuffle=True,
    )

    history: dict[str, list[float]] = {"loss": [], "acc": [], "test_loss": [], "test_acc": []}
    start = time.perf_counter()
    epoch_seconds = []
    for epoch in range(1, args.epochs + 1):
        epoch_start = time.perf_counter()
        batches = tqdm(loader, desc=f"epoch {epoch}/{args.epochs}") if tqdm else loader
        for data, target in batches:
            optimizer.zero_grad()
            output = model(data)
            loss = F.nll_loss(output, target)
            loss.backward()
            optimizer.step()
            acc = float((output.detach().argmax(dim=1).numpy() == target.numpy()).mean())
            history["loss"].append(loss.item())
            history["acc"].append(acc)
            if tqdm:
                batches.set_postfix(refresh=False, loss=f"{loss.item():.4f}", acc=f"{acc:.3f}")
        epoch_seconds.append(time.perf_counter() - epoch_start)
        test_loss, test_acc = evaluate(model, x_test, y_test, args.test_batch_size)
        history["test_loss"].append(test_loss)
        history["test_acc"].append(test_acc)
        print(
            f"epoch {epoch}/{args.epochs}: test set: average loss {test_loss:.4f}, accuracy "
            f"{round(test_acc * len(y_test))}/{len(y_test)} ({test_acc * 100:.2f}%), "
            f"{epoch_seconds[-1]:.1f} s of training"
        )
        scheduler.step()
    seconds = time.perf_counter() - start
    final = history["test_acc"][-1] * 100
    print(f"test accuracy: {final:.2f}%  (epochs: {args.epochs}, {seconds:.1f} s in all)")

    out.mkdir(parents=True, exist_ok=True)
    tg.save(model.state_dict(), out / "mnist_cnn.npz")
    print(f"saved the weights to {out / 'mnist_cnn.npz'}")
    plot(history, out / "mnist_cnn_curves.png")
    return {
        "test_acc": history["test_acc"][-1],
        "seconds": seconds,
        "epoch_seconds": epoch_seconds,
        "history": history,
    }


def plot(history: dict[str, list[float]], path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot (pip install matplotlib)")
        return
    per_epoch = len(history["loss"]) // max(len(history["test_acc"]), 1)
    ends = [per_epoch * (i + 1) for i in range(len(history["test_acc"]))]
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    for ax, name, test, label in (
        (axes[0], "loss", "test_loss", "negative log-likelihood"),
        (axes[1], "acc", "test_acc", "accuracy (fraction correct)"),
    ):
        ax.plot(history[name], linewidth=0.6, label="training batch")
        ax.plot(ends, history[test], "o", label="test set (end of epoch)")
        ax.set_xlabel("iteration (batch)")
        ax.set_ylabel(label)
        ax.legend()
    axes[0].set_yscale("log")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"wrote the training curves to {path}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = _cli.Parser(description="Train pytorch/examples' MNIST CNN with tinygrad_edu.")
    parser.add_argument("--epochs", type=_cli.positive_int, default=1)
    parser.add_argument("--batch-size", type=_cli.positive_int, default=64)
    parser.add_argument("--test-batch-size", type=_cli.positive_int, default=1000)
    parser.add_argument("--lr", type=_cli.positive_float, default=1.0, help="Adadelta's lr")
    parser.add_argument(
        "--gamma", type=_cli.positive_float, default=0.7, help="StepLR's factor per epoch"
    )
    parser.add_argument(
        "--data", default=None, help=f"directory of the MNIST IDX files (default: ${ENV_VAR})"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default="out", help="where the weights and plot go")
    parser.add_argument(
        "--train-limit", type=_cli.positive_int, default=None, help="use only the first N images"
    )
    parser.add_argument(
        "--test-limit", type=_cli.positive_int, default=None, help="test on the first N images"
    )
    args = parser.parse_args(argv)
    _cli.out_dir(parser, args.out)
    return args


def main(argv: list[str] | None = None) -> dict[str, object]:
    return train(parse_args(argv))


if __name__ == "__main__":
    main()
