"""A printed walk through tinygrad_edu's autograd, in a few seconds.

Run it: python examples/autograd_tour.py [--html graph.html]

1. build a graph and look at it (the grad_fn chain, and Graphviz DOT text),
2. call backward and read the gradients,  3. watch and change gradients with hooks,
4. check gradients against finite differences,  5. take a second derivative,
6. write your own op (a Function) and check it,  7. watch gradcheck catch a wrong one,
8. let anomaly mode point at the op (and your line) that made a NaN,
9. whole Jacobians by forward mode (a column per pass) and reverse mode (a row per pass),
   and the Hessian of the source material's softmax + MSE loss at a point.

With ``--html FILE`` it also writes the graph of step 1 as an explorer page
(``tinygrad_edu.viz.to_html``): open it in a browser, click the boxes, play the backward.
"""

from __future__ import annotations

import time

import _cli
import numpy as np

import tinygrad_edu as tg
from tinygrad_edu.autograd import (
    Function,
    GradcheckError,
    detect_anomaly,
    grad,
    gradcheck,
    gradgradcheck,
)
from tinygrad_edu.autograd import forward_ad as fwAD
from tinygrad_edu.autograd import functional as AF
from tinygrad_edu.derivations import softmax_mse_delta
from tinygrad_edu.viz import record_backward, to_dot, to_html


def section(title: str) -> None:
    print(f"\n=== {title} " + "=" * (60 - len(title)))


def show_graph(node: object, depth: int = 0) -> None:
    """Print the chain of grad_fn nodes behind a tensor, one line per node."""
    print("  " * depth + f"{node.name()}")
    for child, _ in getattr(node, "next_functions", ()):
        if child is not None:
            show_graph(child, depth + 1)


def main(argv: list[str] | None = None) -> None:
    parser = _cli.Parser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--html", metavar="FILE", help="write step 1's graph as a page to explore")
    args = parser.parse_args(argv)
    tg.manual_seed(0)

    section("1. Build a graph")
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = tg.tensor([0.5, -1.0, 2.0], requires_grad=True)
    x.name, w.name = "x", "w"  # names only label the drawing
    y = (x * w).sigmoid().sum()
    print("x =", x)
    print("w =", w)
    print("y = sum(sigmoid(x * w)) =", y)
    print("y.grad_fn is the last op; its next_functions lead back to the leaves:")
    show_graph(y.grad_fn, 1)
    print("The same graph as Graphviz DOT (viz.draw_dot(y, 'graph.svg') renders it):")
    print(to_dot(y))

    section("2. backward() fills .grad of the leaves")
    if args.html:  # the same backward, with the engine reporting each step to a recorder
        with record_backward() as tape:
            y.backward()
        to_html(y, args.html, recording=tape)
        print(f"wrote {args.html}: open it in a browser, click a box, press play")
    else:
        y.backward()
    s = 1 / (1 + np.exp(-(x.detach().numpy() * w.detach().numpy())))
    print("x.grad            =", x.grad)
    print("by hand s(1-s)*w  =", np.round(s * (1 - s) * w.detach().numpy(), 4))
    print("w.grad            =", w.grad)
    print("by hand s(1-s)*x  =", np.round(s * (1 - s) * x.detach().numpy(), 4))
    print("The graph is freed now: a second y.backward() would raise (use retain_graph=True).")

    section("3. Hooks: see and change gradients")
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = x * x  # a non-leaf: its .grad is normally not kept
    h.retain_grad()
    h.register_hook(lambda g: print("  hook on h = x*x sees dL/dh =", g))
    handle = x.register_hook(lambda g: g.clamp(-5, 5))  # replaces dL/dx by a clipped copy
    (h * 3).sum().backward()
    print("h.grad (kept by retain_grad) =", h.grad)
    print("x.grad, clipped to [-5, 5]   =", x.grad, "  (unclipped: 6x =", 6 * x.detach(), ")")
    handle.remove()
    print("handle.remove() takes the clipping hook off again.")

    section("4. gradcheck: compare with central differences in float64")
    a = tg.randn(3, 4, dtype=tg.float64, requires_grad=True)
    b = tg.randn(4, 2, dtype=tg.float64, requires_grad=True)

    def net(a: tg.Tensor, b: tg.Tensor) -> tg.Tensor:
        return (a @ b).tanh().log_softmax(dim=1)

    print("gradcheck(log_softmax(tanh(a @ b)))     ->", gradcheck(net, (a, b)))
    print("gradgradcheck (second derivatives)       ->", gradgradcheck(net, (a, b)))

    section("5. Higher-order gradients")
    t = tg.tensor(3.0, dtype=tg.float64, requires_grad=True)
    f = t**3
    (df,) = grad(f, t, create_graph=True)
    (d2f,) = grad(df, t)
    print(f"f = t^3 at t = 3:  f' = 3t^2 = {df.item():g},  f'' = 6t = {d2f.item():g}")

    section("6. Your own op: subclass Function")

    class Cube(Function):
        """y = x^3.   dy/dx = 3 x^2."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x  # Tensor ops (or a NumPy array: np.power(x.detach().numpy(), 3))

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * 3 * x * x

    c = tg.randn(4, dtype=tg.float64, requires_grad=True)
    print("Cube.apply(c).grad_fn              ->", Cube.apply(c).grad_fn)
    print("gradcheck(Cube.apply, (c,))        ->", gradcheck(Cube.apply, (c,)))

    section("7. A wrong backward is caught")

    class BadSin(Function):
        """sin with a 1% error in its derivative: cos(x) * 1.01."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return np.sin(x.detach().numpy())

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * x.cos() * 1.01

    z = tg.randn(3, dtype=tg.float64, requires_grad=True)
    try:
        gradcheck(BadSin.apply, (z,))
        print("gradcheck passed?! (it should not)")
    except GradcheckError as err:
        print("gradcheck says:")
        print("  " + str(err).replace("\n", "\n  "))

    section("8. Anomaly mode: which op made the inf (or NaN)?")
    v = tg.tensor([0.0, 4.0], requires_grad=True)
    with detect_anomaly(), np.errstate(divide="ignore", invalid="ignore"):
        r = v.sqrt()  # sqrt'(0) = 1 / (2 sqrt(0)) = inf
        loss = (r * 0.5).sum()
        try:
            loss.backward()
        except RuntimeError as err:
            print("detect_anomaly says:")
            print("  " + str(err).replace("\n", "\n  "))
    print("Without detect_anomaly() the inf would silently reach v.grad, as in PyTorch.")

    jacobians_and_hessians()


def jacobians_and_hessians() -> None:
    section("9. Jacobians: forward mode vs reverse mode; a Hessian")
    rng = np.random.default_rng(0)
    W = tg.tensor(rng.standard_normal((3, 4)) / 2)  # a small layer: 4 inputs -> 3 outputs
    b = tg.tensor(rng.standard_normal(3) / 2)
    x = tg.tensor(rng.standard_normal(4))

    def layer(x: tg.Tensor) -> tg.Tensor:
        return (W @ x + b).tanh()

    n_out, n_in = 3, 4
    # Forward mode: push one input direction e_k through the layer next to the values;
    # the output's tangent is J e_k, column k of J. One pass per INPUT.
    columns = []
    for k in range(n_in):
        with fwAD.dual_level():
            e_k = tg.tensor(np.eye(n_in)[k])
            columns.append(fwAD.unpack_dual(layer(fwAD.make_dual(x, e_k))).tangent.numpy())
    J_forward = np.stack(columns, axis=1)
    # Reverse mode: pull one output direction u_i back; the gradient is J^T u_i, row i of J.
    # One forward to record the graph, then one backward pass per OUTPUT.
    xr = x.detach().requires_grad_()
    y = layer(xr)
    rows = [grad(y, xr, tg.tensor(np.eye(n_out)[i]), retain_graph=True)[0] for i in range(n_out)]
    J_reverse = np.stack([r.numpy() for r in rows])
    by_hand = (1 - np.tanh(W.numpy() @ x.numpy() + b.numpy()) ** 2)[:, None] * W.numpy()
    print("J of tanh(W x + b), W 3x4, by forward mode (4 passes, one per input):")
    print(np.round(J_forward, 4))
    print(
        f"reverse mode (1 forward + 3 backward passes, one per output) differs by "
        f"{np.abs(J_forward - J_reverse).max():.1e}; the formula diag(1 - y^2) W by "
        f"{np.abs(J_reverse - by_hand).max():.1e}"
    )
    print("Cost: forward mode needs n_in passes, each a forward with tangents (~2-3 forwards);")
    print("reverse mode one forward plus n_out backwards (~2 forwards each). A loss has one")
    print("output, so its gradient is one backward; a layer that widens its input is cheaper")
    print("column by column. Timed on a 64 -> 8 layer and an 8 -> 64 layer:")
    for n_in, n_out in [(64, 8), (8, 64)]:
        V = tg.tensor(rng.standard_normal((n_out, n_in)) / 8)
        u = tg.tensor(rng.standard_normal(n_in))
        times = {}
        for strategy in ("forward-mode", "reverse-mode"):
            start = time.perf_counter()
            AF.jacobian(lambda u, V=V: (V @ u).tanh(), u, strategy=strategy)
            times[strategy] = (time.perf_counter() - start) * 1000
        print(
            f"  {n_in:2d} -> {n_out:2d}: forward mode {n_in} passes {times['forward-mode']:5.1f} "
            f"ms, reverse mode {n_out} passes {times['reverse-mode']:5.1f} ms"
        )
    print("functional.jacobian(f, x, strategy='forward-mode' or")
    print(
        "'reverse-mode') does either:",
        np.allclose(
            AF.jacobian(layer, x, strategy="forward-mode").numpy(), AF.jacobian(layer, x).numpy()
        ),
    )

    # The source material's output layer: J(z) = mean((softmax(z) - y)^2) for one sample.
    z = tg.tensor([1.0, -0.5, 0.3, 2.0], dtype=tg.float64)
    target = np.array([0.0, 0.0, 1.0, 0.0])

    def loss(z: tg.Tensor) -> tg.Tensor:
        return ((z.softmax(0) - tg.tensor(target)) ** 2).mean()

    H = AF.hessian(loss, z).numpy()
    _, g = AF.vjp(loss, z)  # the gradient (v = 1 for a scalar loss)
    formula = softmax_mse_delta(z.numpy()[:, None], target[:, None])[:, 0]
    # The derivation module gives the gradient; its Jacobian is the Hessian. Differentiate
    # that formula by central differences, and compare with the closed form
    # H = (2/N) S S + sum_i G_i d^2 a_i/dz^2,  S = diag(a) - a a^T,  G = (2/N)(a - y).
    eps = 1e-6
    H_formula = np.stack(
        [
            (
                softmax_mse_delta((z.numpy() + eps * e)[:, None], target[:, None])
                - softmax_mse_delta((z.numpy() - eps * e)[:, None], target[:, None])
            )[:, 0]
            / (2 * eps)
            for e in np.eye(4)
        ],
        axis=1,
    )
    a = np.exp(z.numpy()) / np.exp(z.numpy()).sum()
    S, G = np.diag(a) - np.outer(a, a), 2 * (a - target) / 4
    H_closed = 2 / 4 * S @ S + sum(
        G[i] * a[i] * (np.outer(np.eye(4)[i] - a, np.eye(4)[i] - a) - S) for i in range(4)
    )
    print("\nHessian of mean((softmax(z) - y)^2) at z = [1, -0.5, 0.3, 2], y = e_2:")
    print(np.round(H, 5))
    print(f"gradient vs derivations.softmax_mse_delta:     {np.abs(g.numpy() - formula).max():.1e}")
    print(f"Hessian vs central differences of that formula: {np.abs(H - H_formula).max():.1e}")
    print(f"Hessian vs the closed form above:              {np.abs(H - H_closed).max():.1e}")
    print(
        f"symmetric: {np.allclose(H, H.T)};  H @ (1,1,1,1) = {np.abs(H.sum(1)).max():.0e} "
        "(softmax ignores a shift of z,"
    )
    print("so the loss is flat along (1,1,1,1) and H is singular there)")
    _, hv = AF.hvp(loss, z, tg.tensor([1.0, 0.0, 0.0, 0.0], dtype=tg.float64))
    print("hvp(loss, z, e_0) = H e_0 without forming H:", np.round(hv.numpy(), 5))


if __name__ == "__main__":
    main()
