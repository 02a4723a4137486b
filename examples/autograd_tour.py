"""A printed walk through tinygrad_edu's autograd, in a few seconds.

Run it: python examples/autograd_tour.py [--html graph.html]

1. build a graph and look at it (the grad_fn chain, and Graphviz DOT text),
2. call backward and read the gradients,  3. watch and change gradients with hooks,
4. check gradients against finite differences,  5. take a second derivative,
6. write your own op (a Function) and check it,  7. watch gradcheck catch a wrong one,
8. let anomaly mode point at the op (and your line) that made a NaN.

With ``--html FILE`` it also writes the graph of step 1 as an explorer page
(``tinygrad_edu.viz.to_html``): open it in a browser, click the boxes, play the backward.
"""

from __future__ import annotations

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


if __name__ == "__main__":
    main()
