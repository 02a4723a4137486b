"""The source material's hand-derived gradients, next to what the autograd tape computes.

Run it: python examples/derivations_tour.py

For every function of ``tinygrad_edu.derivations`` it prints the manual result, the
tape's (a forward pass in Tensor ops, differentiated by ``autograd.grad``), the largest
difference and one line on what it means. Lines marked ERRATUM are the write-ups' own
formulas where they go wrong.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import _cli
import numpy as np

from tinygrad_edu import Tensor, autograd, datasets, optim
from tinygrad_edu import derivations as D


def tape(loss_fn: Callable[..., Tensor], *arrays: np.ndarray) -> list[np.ndarray]:
    """Gradients of loss_fn at the arrays, from the tape (float64 leaves)."""
    leaves = [Tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]
    return [g.numpy() for g in autograd.grad(loss_fn(*leaves), leaves)]


def show(name: str, manual: object, taped: object, note: str, erratum: bool = False) -> None:
    manual, taped = np.asarray(manual, dtype=np.float64), np.asarray(taped, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        diff = np.max(np.abs(manual - taped), initial=0.0)
    flag = "ERRATUM" if erratum else "ok     "
    fmt = {"float_kind": lambda x: f"{x + 0.0: .4g}"}  # + 0.0 prints -0 as 0
    shown = np.sort(np.argsort(-np.abs(taped.ravel()), kind="stable")[:5])  # largest entries
    print(f"\n[{flag}] {name}")
    print("   manual:", np.array2string(manual.ravel()[shown], formatter=fmt))
    print("   tape:  ", np.array2string(taped.ravel()[shown], formatter=fmt))
    print(f"   max |manual - tape| = {diff:.3g}")
    print(f"   {note}")


def section(title: str) -> None:
    print(f"\n=== {title} " + "=" * (66 - len(title)))


def output_layers(rng: np.random.Generator) -> None:
    section("output layer")
    Z, Y = rng.normal(size=(4, 3)), np.eye(4)[:, [0, 2, 3]]
    (g,) = tape(lambda z: ((Tensor(Y) - z.softmax(dim=0)) ** 2).mean(), Z)
    show("softmax", D.softmax(Z), Tensor(Z).softmax(dim=0).numpy(), "per-sample max shift.")
    show("softmax_mse_delta", D.softmax_mse_delta(Z, Y), g, "J_softmax^T (2/N)(A - Y).")
    show(
        "source_softmax_mse_delta",
        D.source_softmax_mse_delta(D.softmax(Z), Y),
        g,
        "delta3 = A3 - Y is cross-entropy's delta, not MSE's (not even proportional).",
        erratum=True,
    )
    (g,) = tape(lambda z: -(Tensor(Y) * z.log_softmax(dim=0)).sum() / 3, Z)
    show("softmax_ce_delta", D.softmax_ce_delta(D.softmax(Z), Y), g, "(A - Y)/m is exact.")
    z, y = rng.normal(size=5), rng.random(5)

    def bce(t: Tensor) -> Tensor:
        a = t.sigmoid()
        return -(Tensor(y) * a.log() + (1 - Tensor(y)) * (1 - a).log()).sum()

    (g,) = tape(bce, z)
    show("sigmoid_bce_delta", D.sigmoid_bce_delta(1 / (1 + np.exp(-z)), y), g, "A - Y.")


def hidden_layers(rng: np.random.Generator) -> None:
    section("hidden layers")
    W, delta = rng.normal(size=(3, 4)), rng.normal(size=(3, 5))
    Z = rng.integers(-2, 3, size=(4, 5)).astype(np.float64)  # exact zeros included
    (g,) = tape(lambda z: (Tensor(delta) * (Tensor(W) @ z.relu())).sum(), Z)
    show("relu_gate", D.relu_gate(W, delta, Z), g, "(W^T delta) * ReLU'(Z), ReLU'(0) = 0.")
    show("relu_derivative", D.relu_derivative(Z), (Z > 0), "1 where Z > 0, else 0.")
    (g,) = tape(lambda z: (Tensor(delta) * (Tensor(W) @ z.leaky_relu(0.01))).sum(), Z)
    show("leaky_relu_gate", D.leaky_relu_gate(W, delta, Z), g, "slope 0.01 where Z <= 0.")
    show(
        "leaky_relu_derivative",
        D.leaky_relu_derivative(Z),
        np.where(Z > 0, 1.0, 0.01),
        "a new array; Z is untouched.",
    )
    cache = Z.copy()
    D.source_leaky_relu_derivative(cache)
    again = (W.T @ delta) * D.source_leaky_relu_derivative(cache)
    show(
        "source_leaky_relu_derivative (second backward over the same cache)",
        again,
        g,
        "it overwrote Z with 1s and 0.01s; called again it returns 1 everywhere.",
        erratum=True,
    )
    A, m = rng.normal(size=(4, 5)), 5
    gW, gb = tape(
        lambda w, b: (Tensor(delta) * (w @ Tensor(A) + b.reshape(-1, 1))).sum() / m, W, np.zeros(3)
    )
    dW, db = D.dense_grads(delta, A)
    show("dense_grads dW", dW, gW, "delta A^T / m.")
    show("dense_grads db", db, gb, "mean(delta) over the batch.")
    sW, _ = D.source_dense_grads(delta, A)
    show(
        "source_dense_grads dW",
        sW,
        gW,
        f"no 1/m: exactly m = {m} times the tape's (ratio {np.mean(sW / gW):.12g}).",
        erratum=True,
    )
    x = np.linspace(0, 10, 50)
    y = 3 * x + 2 + rng.normal(0, 2, 50)
    gw, gb = tape(lambda w, b: ((Tensor(y) - (w * Tensor(x) + b)) ** 2).mean(), 0.1, 0.5)
    show(
        "linear_regression_grads",
        D.linear_regression_grads(x, y, 0.1, 0.5),
        [gw, gb],
        "-2/n sum x (y - yhat), -2/n sum (y - yhat) at w = 0.1, b = 0.5.",
    )


def networks(rng: np.random.Generator) -> None:
    section("whole networks")
    sizes, m = D.MNIST_SIZES, 4
    print(f"\nMNIST_SIZES = {sizes}")
    Ws = [rng.normal(0, np.sqrt(2 / i), (o, i)) for i, o in itertools.pairwise(sizes)]
    bs = [np.zeros(o) for o in sizes[1:]]
    X, Y = rng.random((784, m)), np.eye(10)[:, rng.integers(0, 10, m)]

    def J(*p: Tensor) -> Tensor:
        A = Tensor(X)
        for layer in range(3):
            A = p[layer] @ A + p[3 + layer].reshape(-1, 1)
            A = A.relu() if layer < 2 else A.softmax(dim=0)
        return ((Tensor(Y) - A) ** 2).mean()

    grads = tape(J, *Ws, *bs)
    dWs, _ = D.mlp_backward(X, Y, Ws, bs, loss="mse")
    _, As = D.mlp_forward(X, Ws, bs)
    print(f"\n(mlp_forward: output columns sum to {As[-1].sum(axis=0)})")
    show("mlp_backward 784-128-40-10, MSE, dW1", dWs[0], grads[0], "X (784, m), W (out, in).")
    sWs, _ = D.source_mlp_backward(X, Y, Ws, bs)
    show(
        "source_mlp_backward, dW1",
        sWs[0],
        grads[0],
        "delta3 = A3 - Y and no 1/m on W: the gradient of another loss.",
        erratum=True,
    )
    count = D.parameter_count()
    show(
        "parameter_count",
        count,
        sum(w.size + b.size for w, b in zip(Ws, bs)),
        "106,050 counted from the arrays.",
    )
    show(
        "SOURCE_PARAMETER_COUNT",
        D.SOURCE_PARAMETER_COUNT,
        count,
        "the write-ups print 105,898: 152 short. Let the framework count.",
        erratum=True,
    )
    Xi, yi, _ = datasets.iris()
    Xi = Xi / np.linalg.norm(Xi, axis=1, keepdims=True)
    Yi = np.eye(3)[yi]
    params = rng.random((4, 10)), rng.random(10), rng.random((10, 3)), rng.random(3)

    def Ji(w1: Tensor, c1: Tensor, w2: Tensor, c2: Tensor) -> Tensor:
        logits = (Tensor(Xi) @ w1 + c1).leaky_relu(0.01) @ w2 + c2
        return -(Tensor(Yi) * logits.log_softmax(dim=1)).sum() / len(Xi)

    manual = D.iris_backward(Xi, Yi, *params)
    g = tape(Ji, *params)
    _, _, A2 = D.iris_forward(Xi, *params)
    print(f"\n(iris_forward: first row's probabilities {A2[0]})")
    show("iris_backward 4-10-3, dW1", manual["W1"], g[0], "leaky ReLU, softmax + CE, rows.")
    show("iris_backward 4-10-3, db2", manual["b2"], g[3], "sum over the rows of (A - Y)/m.")


def optimizers(rng: np.random.Generator) -> None:
    section("optimizers, 25 steps on 0.5 |theta|^2 + sum cos(theta)")
    theta0 = rng.normal(size=3)

    def run(opt_cls: type, manual: Callable, **kw: object) -> tuple[np.ndarray, np.ndarray]:
        p = Tensor(theta0.copy(), requires_grad=True)
        opt, theta, state = opt_cls([p], **kw), theta0.copy(), [np.zeros(3), np.zeros(3)]
        for t in range(1, 26):
            opt.zero_grad()
            (0.5 * (p * p).sum() + p.cos().sum()).backward()
            theta, state = manual(theta, p.grad.numpy().copy(), state, t)
            opt.step()
        return theta, p.detach().numpy()

    def adam(theta, g, s, t):
        theta, m, v = D.adam_update(theta, g, s[0], s[1], t, 0.01, 0.9, 0.99)
        return theta, [m, v]

    show(
        "adam_update vs optim.Adam",
        *run(optim.Adam, adam, lr=0.01, betas=(0.9, 0.99)),
        "Algorithm 1 with bias correction, beta2 = 0.99 as the digit classifier.",
    )

    def momentum(theta, g, s, t):
        theta, v = D.source_momentum_update(theta, g, s[0], 0.01, 0.9)
        return theta, [v, s[1]]

    show(
        "source_momentum_update vs SGD(momentum=0.9)",
        *run(optim.SGD, momentum, lr=0.01, momentum=0.9),
        "v = beta v + lr g equals PyTorch's momentum while lr is constant.",
    )

    def ema(theta, g, s, t):
        theta, v = D.ema_momentum_update(theta, g, s[0], 0.01, 0.9)
        return theta, [v, s[1]]

    show(
        "ema_momentum_update vs SGD(momentum=0.9, lr=0.01*0.1)",
        *run(optim.SGD, ema, lr=0.01 * (1 - 0.9), momentum=0.9),
        "v = beta v + (1-beta) g is PyTorch's momentum with lr (1 - beta).",
    )

    def rms(theta, g, s, t):
        theta, v = D.source_rmsprop_update(theta, g, s[0], 0.01, 0.999)
        return theta, [v, s[1]]

    show(
        "source_rmsprop_update vs RMSprop(alpha=0.999, eps=0)",
        *run(optim.RMSprop, rms, lr=0.01, alpha=0.999, eps=0.0),
        "no eps: equal to eps = 0, and 0/0 = nan for a gradient that was always 0.",
    )


def numerics() -> None:
    section("numerics of the Iris write-up")
    Z = np.array([[1000.0, 0.0, 0.0], [0.0, 1.0, 2.0]])
    show(
        "source_softmax (one global max)",
        D.source_softmax(Z),
        Tensor(Z).softmax(dim=1).numpy(),
        "row 2 is 998 below the global max: exp underflows to 0 and 0/0 = nan.",
        erratum=True,
    )
    A, Y = D.softmax(Z[:1], axis=1), np.array([[0.0, 1.0, 0.0]])
    show(
        "source_cross_entropy with SOURCE_EPS",
        D.source_cross_entropy(A, Y),
        -(Tensor(Y) * Tensor(Z[:1]).log_softmax(dim=1)).sum().item(),
        f"log(A + {D.SOURCE_EPS:.4g}) caps a wrong answer's loss at 708.4 (true 1000).",
        erratum=True,
    )
    g, zero = np.array([1e-170]), np.zeros(1)
    blown = D.adam_update(zero, g, zero, zero, 1, lr=1e-3, eps=D.SOURCE_EPS)[0]
    p = Tensor(zero.copy(), requires_grad=True)
    p.grad = Tensor(g.copy())
    optim.Adam([p], lr=1e-3).step()
    show(
        "adam_update with eps = SOURCE_EPS, g = 1e-170",
        blown,
        p.detach().numpy(),
        "g^2 underflows to 0, so the step is lr g / 2.2e-308 = 4.5e+134; eps 1e-8 gives 1e-165.",
        erratum=True,
    )


def main() -> None:
    rng = np.random.default_rng(0)
    np.set_printoptions(linewidth=100)
    print("Manual derivations (tinygrad_edu.derivations) against the autograd tape.")
    print("Each result shows the 5 entries where the tape's is largest.")
    output_layers(rng)
    hidden_layers(rng)
    networks(rng)
    optimizers(rng)
    numerics()


if __name__ == "__main__":
    # No options: --help prints the first paragraph above; anything else is one error line.
    _cli.Parser(description=__doc__.split("\n\n")[0]).parse_args()
    main()
