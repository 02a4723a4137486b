"""A PyTorch-style training loop on the "credit approval" set, and the notebook's exercises.

The source's optimization notebook (SPEC §3), written as one would in PyTorch:

- 10,000 rows of 4 standard-normal features with random 0/1 labels, split 80/20 with
  ``random_split``, batches of 32 from a shuffling ``DataLoader``;
- Linear(4, 2) -> ReLU -> Linear(2, 1) -> Sigmoid, ``BCELoss``, Adam lr 1e-4, 50 epochs.

The labels do not depend on the features, so the expected accuracy is 50%: the point is the
loop and a look inside the optimizer. After training it prints Adam's state for the hidden
layer's bias: ``exp_avg`` (m, the moving average of the gradient) and ``exp_avg_sq`` (v, of
its square).

Then the exercises, each trained from scratch for ``--exercise-epochs`` epochs:

- bias correction at t = 1: after one Adam step, m = 0.1 g and v = 0.001 g^2; dividing by
  1 - beta1^1 = 0.1 and 1 - beta2^1 = 0.001 (factors 10 and 1000) recovers g and g^2, so
  the very first step is lr * g / |g|, about lr in size for every weight;
- Adam at lr 0.1 instead of 0.01;
- AdaGrad;
- Adam with L2 weight decay against AdamW (decoupled weight decay), both 0.01. The labels
  are noise, so the data's gradient is small and averages out, and Adam divides the L2
  term 0.01 theta by that small sqrt(v): the coupled decay shrinks the weights to almost 0
  within 10 epochs. AdamW's decay, lr * 0.01 * theta per step, is not rescaled: on its own
  it would shrink the weights by a factor exp(-0.25), about 0.78, over the 2,500 steps of
  10 epochs, which is small next to Adam's steps of about lr each, so |W| ends where plain
  Adam's does (0.70 and 0.66 in the printed table; from one shared start, AdamW ends
  above or below Adam depending on the seed), not near 0. That difference is why AdamW
  exists;
- three hidden layers of 64 units: 8,705 parameters instead of 13, and still about 50% on
  the test set, since there is nothing to learn.

Run:  python examples/credit_approval.py [--epochs 50] [--exercise-epochs 10] [--out DIR]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import _cli
import numpy as np

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.datasets import credit_approval
from tinygrad_edu.utils.data import DataLoader, TensorDataset, random_split


def small_model() -> nn.Module:
    return nn.Sequential(nn.Linear(4, 2), nn.ReLU(), nn.Linear(2, 1), nn.Sigmoid())


def deep_model() -> nn.Module:
    """The exercise's three hidden layers of 64 units."""
    return nn.Sequential(
        nn.Linear(4, 64),
        nn.ReLU(),
        nn.Linear(64, 64),
        nn.ReLU(),
        nn.Linear(64, 64),
        nn.ReLU(),
        nn.Linear(64, 1),
        nn.Sigmoid(),
    )


def make_loaders(seed: int) -> tuple[DataLoader, DataLoader]:
    X, y = credit_approval(n=10000)
    dataset = TensorDataset(tg.from_numpy(X), tg.from_numpy(y))
    train_set, test_set = random_split(dataset, [0.8, 0.2], generator=tg.manual_seed(seed))
    train_loader = DataLoader(train_set, batch_size=32, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=256)
    return train_loader, test_loader


def evaluate(model: nn.Module, loader: DataLoader, loss_fn: nn.Module) -> tuple[float, float]:
    """Mean loss and accuracy (output > 0.5 counts as 1) over a loader."""
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    with tg.no_grad():
        for xb, yb in loader:
            out = model(xb)
            total_loss += loss_fn(out, yb).item() * len(xb)
            correct += int(((out.numpy() > 0.5) == (yb.numpy() > 0.5)).sum())
            count += len(xb)
    model.train()
    return total_loss / count, correct / count


def train(
    model: nn.Module,
    optimizer: tg.optim.Optimizer,
    loaders: tuple[DataLoader, DataLoader],
    epochs: int,
    verbose: bool = False,
) -> dict[str, float]:
    """The usual loop: forward, loss, zero_grad, backward, step; then evaluate."""
    train_loader, test_loader = loaders
    loss_fn = nn.BCELoss()
    for epoch in range(1, epochs + 1):
        for xb, yb in train_loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if verbose and (epoch % 10 == 0 or epoch in (1, epochs)):
            test_loss, test_acc = evaluate(model, test_loader, loss_fn)
            print(f"  epoch {epoch:3d}: test loss {test_loss:.4f}  test accuracy {test_acc:.2%}")
    train_loss, train_acc = evaluate(model, train_loader, loss_fn)
    test_loss, test_acc = evaluate(model, test_loader, loss_fn)
    return {
        "train_loss": train_loss,
        "train_acc": train_acc,
        "test_loss": test_loss,
        "test_acc": test_acc,
    }


def bias_correction_at_t1(loaders: tuple[DataLoader, DataLoader]) -> dict[str, float]:
    """Take one Adam step and check the bias correction against the optimizer's state."""
    model = small_model()
    lr = 1e-4
    optimizer = tg.optim.Adam(model.parameters(), lr=lr)
    xb, yb = next(iter(loaders[0]))
    loss = nn.BCELoss()(model(xb), yb)
    loss.backward()
    bias = model[0].bias
    g, before = bias.grad.numpy().copy(), bias.detach().numpy().copy()
    optimizer.step()
    state = optimizer.state[bias]
    beta1, beta2 = optimizer.param_groups[0]["betas"]
    m_hat = state["exp_avg"].numpy() / (1 - beta1**1)  # factor 10
    v_hat = state["exp_avg_sq"].numpy() / (1 - beta2**1)  # factor 1000
    step = before - bias.detach().numpy()
    print(f"  gradient g            {g}")
    print(f"  m = exp_avg           {state['exp_avg'].numpy()}   (= 0.1 g)")
    print(f"  m / (1 - 0.9)   = m^  {m_hat}   (factor {1 / (1 - beta1):.0f}: back to g)")
    print(f"  v / (1 - 0.999) = v^  {v_hat}   (factor {1 / (1 - beta2):.0f}: back to g^2)")
    print(f"  first step            {step}   (lr * sign(g) = {lr * np.sign(g)})")
    return {
        "m_hat_error": float(np.max(np.abs(m_hat - g))),
        "v_hat_error": float(np.max(np.abs(v_hat - g**2) / g**2)),
        "step_over_lr": float(np.max(np.abs(step / lr))),
    }


def exercises(loaders, epochs: int) -> dict[str, dict[str, float]]:
    """Train each variant from scratch; returns train/test loss and accuracy of each."""
    variants: dict[str, tuple[Callable[[], nn.Module], Callable]] = {
        "Adam lr 0.01": (small_model, lambda p: tg.optim.Adam(p, lr=0.01)),
        "Adam lr 0.1": (small_model, lambda p: tg.optim.Adam(p, lr=0.1)),
        "Adagrad lr 0.01": (small_model, lambda p: tg.optim.Adagrad(p, lr=0.01)),
        "Adam lr 0.01, L2 0.01": (
            small_model,
            lambda p: tg.optim.Adam(p, lr=0.01, weight_decay=0.01),
        ),
        "AdamW lr 0.01, wd 0.01": (
            small_model,
            lambda p: tg.optim.AdamW(p, lr=0.01, weight_decay=0.01),
        ),
        "3 x 64 hidden, Adam 0.01": (deep_model, lambda p: tg.optim.Adam(p, lr=0.01)),
    }
    results = {}
    print(f"  {'variant':26s} {'train loss':>10s} {'train acc':>9s} {'test acc':>9s} {'|W|':>9s}")
    for name, (build, make_optimizer) in variants.items():
        model = build()
        results[name] = r = train(model, make_optimizer(model.parameters()), loaders, epochs)
        # The size of the weights shows what weight decay did (biases are not counted).
        r["weight_norm"] = float(
            np.sqrt(sum((p.detach().numpy() ** 2).sum() for p in model.parameters() if p.ndim > 1))
        )
        print(
            f"  {name:26s} {r['train_loss']:10.4f} {r['train_acc']:9.2%} {r['test_acc']:9.2%} "
            f"{r['weight_norm']:9.2e}"
        )
    return results


def run(args: argparse.Namespace) -> dict[str, object]:
    loaders = make_loaders(args.seed)
    tg.manual_seed(args.seed)
    model = small_model()
    optimizer = tg.optim.Adam(model.parameters(), lr=1e-4)
    print(f"credit approval: 8,000 train / 2,000 test rows; Adam lr 1e-4, {args.epochs} epochs")
    result = train(model, optimizer, loaders, args.epochs, verbose=True)
    print(f"test accuracy {result['test_acc']:.2%} (the labels are random: expect about 50%)")

    hidden_bias = model[0].bias
    state = optimizer.state[hidden_bias]
    print("Adam's state for the hidden layer's bias (shape (2,)):")
    print(f"  step       {int(state['step'].item())}")
    print(f"  exp_avg    {state['exp_avg'].numpy()}")
    print(f"  exp_avg_sq {state['exp_avg_sq'].numpy()}")

    print("\nexercise: bias correction at t = 1")
    correction = bias_correction_at_t1(loaders)
    print(f"\nexercises, {args.exercise_epochs} epochs each:")
    variants = exercises(loaders, args.exercise_epochs)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    plot(variants, out / "credit_approval_exercises.png")
    return {
        **result,
        "exp_avg": state["exp_avg"].numpy(),
        "exp_avg_sq": state["exp_avg_sq"].numpy(),
        "bias_correction": correction,
        "exercises": variants,
    }


def plot(variants: dict[str, dict[str, float]], path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot (pip install matplotlib)")
        return
    names = list(variants)
    positions = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(9, 4.5))
    ax.barh(positions - 0.2, [variants[n]["train_acc"] for n in names], 0.4, label="train")
    ax.barh(positions + 0.2, [variants[n]["test_acc"] for n in names], 0.4, label="test")
    ax.axvline(0.5, color="black", linestyle="--", linewidth=0.8, label="chance")
    ax.set_yticks(positions, names)
    ax.set_xlim(0.4, max(0.6, max(v["train_acc"] for v in variants.values()) + 0.02))
    ax.set_xlabel("accuracy")
    ax.set_title("credit approval (random labels): the exercises")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"\nwrote {path}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = _cli.Parser(description="The credit approval loop and its exercises.")
    parser.add_argument("--epochs", type=_cli.positive_int, default=50)
    parser.add_argument("--exercise-epochs", type=_cli.positive_int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="out", help="where the PNG figure goes")
    args = parser.parse_args(argv)
    _cli.out_dir(parser, args.out)
    return args


def main(argv: list[str] | None = None) -> dict[str, object]:
    return run(parse_args(argv))


if __name__ == "__main__":
    main()
