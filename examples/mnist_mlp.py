"""The main job: train the source material's digit classifier on MNIST.

Network 784 -> 128 (ReLU) -> 40 (ReLU) -> 10 (softmax), 106,050 parameters, trained with
Adam(beta1=0.9, beta2=0.99, eps=1e-8), batch 128, lr 1e-3, for 5 epochs. The loss is the
source's mean squared error on the softmax output (``--loss ce`` for cross-entropy on the
logits, the usual choice). Per batch it tracks the cost, the accuracy (argmax match), R^2
and RMSE of the softmax output against the one-hot labels, as the source does.

Then it prints the test accuracy, saves the weights with ``tinygrad_edu.save`` and, when
matplotlib is installed, draws the training curves.

Data: the four MNIST IDX files, read from ``--data DIR``, else ``$TINYGRAD_EDU_DATA``, else
a cache directory (downloaded there where a network exists).

Run:  python examples/mnist_mlp.py [--epochs 5] [--loss mse|ce] [--data DIR] [--out DIR]
      [--graph FILE]   (also write the graph of the first training step, to explore in a browser)
      [--compile]      (train with tinygrad_edu.compile: the step traced once, then replayed)
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import _cli
import numpy as np

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn
from tinygrad_edu.datasets import load_mnist
from tinygrad_edu.datasets.mnist import ENV_VAR, default_root
from tinygrad_edu.utils.data import DataLoader, TensorDataset
from tinygrad_edu.viz import record_backward, to_html

try:
    from tqdm import tqdm
except ImportError:  # a plain line per epoch instead of a progress bar
    tqdm = None


def build_model() -> nn.Module:
    """784-128-40-10 with ReLU: W has shape (out, in), as in the source's Z = W X + b."""
    return nn.Sequential(
        nn.Linear(784, 128),
        nn.ReLU(),
        nn.Linear(128, 40),
        nn.ReLU(),
        nn.Linear(40, 10),
    )


def metrics(probs: np.ndarray, onehot: np.ndarray) -> dict[str, float]:
    """Accuracy, R^2 and RMSE of predicted probabilities against one-hot targets."""
    residual = np.sum((onehot - probs) ** 2)
    total = np.sum((onehot - onehot.mean()) ** 2)
    return {
        "acc": float(np.mean(probs.argmax(1) == onehot.argmax(1))),
        "r2": float(1 - residual / total),
        "rmse": float(np.sqrt(residual / onehot.size)),
    }


def loss_fn(logits: tg.Tensor, labels: tg.Tensor, onehot: tg.Tensor, kind: str) -> tg.Tensor:
    if kind == "ce":
        return F.cross_entropy(logits, labels)
    return F.mse_loss(logits.softmax(dim=1), onehot)  # the source: MSE on the softmax output


def backward_with_graph(loss: tg.Tensor, path: str | Path) -> None:
    """``loss.backward()``, recorded, and the explorer page of that training step written."""
    with record_backward() as tape:
        loss.backward()
    to_html(loss, path, recording=tape, title="one training step of the 784-128-40-10 network")
    print(f"wrote the graph of one training step to {path} (open it in a browser)")


def evaluate(model: nn.Module, x: np.ndarray, y: np.ndarray, batch: int = 2000) -> float:
    model.eval()
    correct = 0
    with tg.no_grad():
        for i in range(0, len(x), batch):
            logits = model(tg.from_numpy(x[i : i + batch]))
            correct += int((logits.argmax(dim=1).numpy() == y[i : i + batch]).sum())
    model.train()
    return correct / len(x)


def load_data(data: str | None) -> tuple[np.ndarray, ...]:
    """The training and test sets, or one line on stderr and exit status 1.

    With ``--data DIR`` the files must be there; without it they are read from (and, where
    a network exists, downloaded into) ``$TINYGRAD_EDU_DATA`` or the cache directory.
    """
    if data:
        where = f"--data {data}"
    else:
        source = f"${ENV_VAR}" if os.environ.get(ENV_VAR) else "the default; see --data"
        where = f"{default_root()} ({source})"
    try:
        x_train, y_train = load_mnist(data, train=True, download=data is None)
        x_test, y_test = load_mnist(data, train=False, download=data is None)
    except FileNotFoundError:
        _cli.fail(
            f"no MNIST files in {where}; pass --data DIR, the directory holding the four IDX "
            "files (train-images-idx3-ubyte.gz and the others, .gz or not)"
        )
    except RuntimeError as e:  # the download failed; its first "url: reason" line says why
        lines = [line.strip() for line in str(e).splitlines()]
        reason = next((line for line in lines[1:] if line), lines[0])
        _cli.fail(
            f"no MNIST files in {where}, and downloading them failed ({reason}); pass "
            f"--data DIR, the directory holding the four IDX files, or set {ENV_VAR} to it"
        )
    except (OSError, ValueError) as e:  # unreadable or damaged files
        _cli.fail(f"cannot read the MNIST files in {where}: {e}")
    return x_train, y_train, x_test, y_test


def train(args: argparse.Namespace) -> dict[str, object]:
    """Train, report and save; returns the test accuracy, the time and the history."""
    with _cli.limit_threads(1):
        return _train(args)


def _train(args: argparse.Namespace) -> dict[str, object]:
    out = Path(args.out)
    tg.manual_seed(args.seed)
    x_train, y_train, x_test, y_test = load_data(args.data)
    # Standardise with the training set's mean and std (0.1307 and 0.3081 on [0, 1] pixels),
    # as PyTorch's MNIST example does: centred inputs make the first layer learn faster.
    mean, std = x_train.mean(), x_train.std()
    x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
    if args.train_limit is not None:
        x_train, y_train = x_train[: args.train_limit], y_train[: args.train_limit]
    onehot_train = np.eye(10, dtype=np.float32)[y_train]

    model = build_model()
    for name, p in model.named_parameters():
        p.name = name  # labels in the --graph page
    n_params = sum(p.numel() for p in model.parameters())
    assert n_params == 106_050, n_params  # the source prints 105,898: an arithmetic slip
    print(f"model: 784-128-40-10, {n_params:,} parameters; loss {args.loss}; Adam lr {args.lr}")
    optimizer = tg.optim.Adam(model.parameters(), lr=args.lr, betas=(0.9, 0.99), eps=1e-8)
    dataset = TensorDataset(
        tg.from_numpy(x_train), tg.from_numpy(y_train), tg.from_numpy(onehot_train)
    )
    loader = DataLoader(dataset, batch_size=args.batch_size, shuffle=True)

    def train_step(xb: tg.Tensor, yb: tg.Tensor, ob: tg.Tensor) -> tuple[tg.Tensor, tg.Tensor]:
        logits = model(xb)
        loss = loss_fn(logits, yb, ob, args.loss)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss, logits

    # --compile: the step is traced once and replayed as straight-line NumPy (README)
    step = tg.compile(train_step) if args.compile else train_step
    history: dict[str, list[float]] = {"cost": [], "acc": [], "r2": [], "rmse": []}
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        batches = tqdm(loader, desc=f"epoch {epoch}/{args.epochs}") if tqdm else loader
        for xb, yb, ob in batches:
            if args.graph and not history["cost"]:  # the first step: record it, draw it
                logits = model(xb)
                loss = loss_fn(logits, yb, ob, args.loss)
                optimizer.zero_grad()
                xb.name, ob.name = "images", "one-hot labels"
                backward_with_graph(loss, args.graph)
                optimizer.step()
            else:
                loss, logits = step(xb, yb, ob)

            probs = logits.detach().softmax(dim=1).numpy()
            m = metrics(probs, ob.numpy())
            history["cost"].append(loss.item())
            for k, v in m.items():
                history[k].append(v)
            if tqdm:
                batches.set_postfix(
                    refresh=False,
                    cost=f"{loss.item():.4f}",
                    acc=f"{m['acc']:.3f}",
                    r2=f"{m['r2']:.3f}",
                    rmse=f"{m['rmse']:.3f}",
                )
        if not tqdm:
            last = len(loader)
            print(
                f"epoch {epoch}/{args.epochs}: cost {np.mean(history['cost'][-last:]):.4f}  "
                f"acc {np.mean(history['acc'][-last:]):.4f}  "
                f"r2 {np.mean(history['r2'][-last:]):.4f}  "
                f"rmse {np.mean(history['rmse'][-last:]):.4f}"
            )
    seconds = time.perf_counter() - start

    test_acc = evaluate(model, x_test, y_test)
    how = "compiled" if args.compile else "eager"
    print(f"test accuracy: {test_acc * 100:.2f}%  ({args.epochs} epochs in {seconds:.1f} s, {how})")

    out.mkdir(parents=True, exist_ok=True)
    tg.save(model.state_dict(), out / "mnist_mlp.npz")
    print(f"saved the weights to {out / 'mnist_mlp.npz'}")
    plot(history, out / "mnist_mlp_curves.png", args.loss)
    replays = step.replays if args.compile else 0  # (steps that ran the compiled program)
    return {"test_acc": test_acc, "seconds": seconds, "history": history, "replays": replays}


def plot(history: dict[str, list[float]], path: Path, loss: str = "mse") -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot (pip install matplotlib)")
        return
    cost = "cross-entropy" if loss == "ce" else "MSE of the softmax"
    ylabels = {
        "cost": f"training loss ({cost})",
        "acc": "batch accuracy (fraction correct)",
        "r2": "R² of the softmax output",
        "rmse": "RMSE of the softmax output",
    }
    fig, axes = plt.subplots(1, 4, figsize=(16, 3.5))
    for ax, (name, values) in zip(axes, history.items()):
        ax.plot(values, linewidth=0.6)
        ax.set_title(name)
        ax.set_xlabel("iteration (batch)")
        ax.set_ylabel(ylabels[name])
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"wrote the training curves to {path}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = _cli.Parser(description="Train the 784-128-40-10 MNIST classifier.")
    parser.add_argument("--epochs", type=_cli.positive_int, default=5)
    parser.add_argument("--batch-size", type=_cli.positive_int, default=128)
    parser.add_argument("--lr", type=_cli.positive_float, default=1e-3, help="Adam's step size")
    parser.add_argument("--loss", choices=["mse", "ce"], default="mse")
    parser.add_argument(
        "--data", default=None, help=f"directory of the MNIST IDX files (default: ${ENV_VAR})"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="out", help="where the weights and plot go")
    parser.add_argument(
        "--train-limit", type=_cli.positive_int, default=None, help="use only the first N images"
    )
    parser.add_argument(
        "--graph", metavar="FILE", help="write the first training step's graph as an HTML page"
    )
    parser.add_argument(
        "--compile", action="store_true", help="train with tinygrad_edu.compile(train_step)"
    )
    args = parser.parse_args(argv)
    _cli.out_dir(parser, args.out)
    return args


def main(argv: list[str] | None = None) -> dict[str, object]:
    return train(parse_args(argv))


if __name__ == "__main__":
    main()
