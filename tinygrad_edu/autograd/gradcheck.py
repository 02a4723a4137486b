"""Check gradients against finite differences, element by element.

For a function f with inputs x and outputs y, the Jacobian entry dy_j/dx_i is estimated by
the central difference

    (f(x + eps e_i) - f(x - eps e_i))_j / (2 eps)        (error O(eps^2))

and compared with what backward computes, one output element at a time (a backward pass
with grad_output = e_j gives row j of the Jacobian). They must agree within
``atol + rtol * |numerical|`` everywhere. In float64 with eps = 1e-6 the rounding error of
the difference quotient is about 1e-10; in float32 it is about 0.1, which is why the check
wants float64 inputs.

``check_forward_ad=True`` also checks forward mode: one pass per input element with that
element's tangent set to 1 (``forward_ad.make_dual``) gives a column of the Jacobian, which
must match the same central differences; ``check_backward_ad=False`` skips reverse mode.

``gradgradcheck`` does the same for second derivatives by checking the function
(x, v) -> grad(f(x), x, grad_outputs=v, create_graph=True): in reverse mode
(``check_rev_over_rev``, on by default) and, with ``check_fwd_over_rev=True``, by pushing
tangents through that gradient's graph (forward over reverse). It does not check first
derivatives, so run both.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tinygrad_edu.autograd import forward_ad
from tinygrad_edu.autograd.engine import grad as autograd_grad
from tinygrad_edu.autograd.grad_mode import enable_grad, no_grad
from tinygrad_edu.random import rng
from tinygrad_edu.tensor import Tensor


class GradcheckError(RuntimeError):
    """Raised by gradcheck when analytical and numerical gradients disagree."""


def gradcheck(
    fn: Callable[..., Any],
    inputs: Tensor | Sequence[Any],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    *,
    check_forward_ad: bool = False,
    check_backward_ad: bool = True,
) -> bool:
    """True if backward's gradients of ``fn(*inputs)`` match central differences.

    With ``check_forward_ad=True`` the Jacobian from forward mode (dual tensors) must match
    them too; ``check_backward_ad=False`` leaves reverse mode out.
    On a mismatch raises ``GradcheckError`` (or returns False with
    ``raise_exception=False``) naming the output, the input, the element with the worst
    error, its numerical and analytical values, and both Jacobians when they are small.
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    diff = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not diff:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, but none of them "
            "have requires_grad=True."
        )
    for i in diff:
        if inputs[i].dtype != np.float64:
            warnings.warn(
                f"Input #{i} requires gradient and is not a double precision floating point "
                f"({inputs[i].dtype}). This check will likely fail if all the inputs are not of "
                "double precision floating point.",
                stacklevel=2,
            )

    outputs = _outputs(fn(*inputs))
    numerical = _numerical_jacobians(fn, inputs, diff, eps)
    for k, out in enumerate(outputs):
        if out.dtype.kind != "f" or not check_backward_ad:
            continue
        for slot, i in enumerate(diff):
            num = numerical[k][slot]
            ana = _analytical_jacobian(out, inputs[i], k)
            failure = _compare(num, ana, atol, rtol, k, i, inputs[i].shape, out.shape)
            if failure:
                if raise_exception:
                    raise GradcheckError(failure)
                return False
    if check_forward_ad:
        for slot, i in enumerate(diff):
            forward = _forward_jacobians(fn, inputs, i)
            for k, out in enumerate(outputs):
                if out.dtype.kind != "f":
                    continue
                failure = _compare(
                    numerical[k][slot],
                    forward[k],
                    atol,
                    rtol,
                    k,
                    i,
                    inputs[i].shape,
                    out.shape,
                    mode="forward mode",
                )
                if failure:
                    if raise_exception:
                        raise GradcheckError(failure)
                    return False
    return True


def gradgradcheck(
    fn: Callable[..., Any],
    inputs: Tensor | Sequence[Any],
    grad_outputs: Sequence[Tensor] | None = None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    *,
    check_fwd_over_rev: bool = False,
    check_rev_over_rev: bool = True,
) -> bool:
    """True if the second derivatives of ``fn`` match finite differences of its gradient.

    Checks ``(inputs, v) -> d(fn(inputs))/d(inputs) . v`` with gradcheck, where the
    ``grad_outputs`` v are drawn uniformly from [-1, 1) unless given: by reverse mode
    through the gradient (``check_rev_over_rev``) and/or forward mode through it
    (``check_fwd_over_rev``).
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    outputs = [o for o in _outputs(fn(*inputs)) if o.requires_grad]
    if grad_outputs is None:
        grad_outputs = [
            Tensor(rng().uniform(-1, 1, o.shape).astype(o.dtype), requires_grad=True)
            for o in outputs
        ]
    grad_outputs = tuple(grad_outputs)
    n = len(inputs)
    diff = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]

    def first_derivatives(*args: Any) -> tuple[Tensor, ...]:
        xs, vs = args[:n], args[n:]
        with enable_grad():  # also while gradcheck evaluates it for finite differences
            outs = [o for o in _outputs(fn(*xs)) if o.requires_grad]
            grads = autograd_grad(
                outs, [xs[i] for i in diff], vs, create_graph=True, allow_unused=True
            )
        # An input the output does not depend on has gradient 0 (and no graph).
        return tuple(
            g if g is not None else Tensor(np.zeros(xs[i].shape, xs[i].dtype))
            for g, i in zip(grads, diff)
        )

    return gradcheck(
        first_derivatives,
        (*inputs, *grad_outputs),
        eps,
        atol,
        rtol,
        raise_exception,
        check_forward_ad=check_fwd_over_rev,
        check_backward_ad=check_rev_over_rev,
    )


# --------------------------------------------------------------------------- internals
def _outputs(result: Any) -> tuple[Tensor, ...]:
    outs = (result,) if isinstance(result, Tensor) else tuple(result)
    for o in outs:
        if not isinstance(o, Tensor):
            raise TypeError(f"gradcheck: the function must return Tensors, got {type(o).__name__}")
    return outs


def _numerical_jacobians(
    fn: Callable[..., Any], inputs: tuple[Any, ...], diff: list[int], eps: float
) -> list[list[np.ndarray]]:
    """J[k][slot] has shape (input numel, output numel): row r is input element r."""
    with no_grad():
        outputs = _outputs(fn(*inputs))
        jac = [[np.zeros((inputs[i]._data.size, o._data.size)) for i in diff] for o in outputs]
        for slot, i in enumerate(diff):
            flat = inputs[i]._data.reshape(-1)  # a view: perturbing it perturbs the input
            if flat.size and not np.shares_memory(flat, inputs[i]._data):  # empty: nothing to do
                raise ValueError(f"gradcheck: input {i} is not contiguous; pass a copy")
            for r in range(flat.size):
                original = flat[r].copy()
                flat[r] = original + eps
                plus = [o._data.astype(np.float64) for o in _outputs(fn(*inputs))]
                flat[r] = original - eps
                minus = [o._data.astype(np.float64) for o in _outputs(fn(*inputs))]
                flat[r] = original
                for k in range(len(outputs)):
                    jac[k][slot][r] = ((plus[k] - minus[k]) / (2 * eps)).reshape(-1)
    return jac


def _analytical_jacobian(out: Tensor, x: Tensor, k: int) -> np.ndarray:
    """Row j of dout/dx from one backward pass with grad_output = e_j; transposed to
    (input numel, output numel) like the numerical one."""
    jac = np.zeros((x._data.size, out._data.size))
    if not out.requires_grad:
        return jac
    for j in range(out._data.size):
        seed = np.zeros(out.shape, dtype=out.dtype)
        seed.reshape(-1)[j] = 1
        (g,) = autograd_grad(out, x, Tensor(seed), retain_graph=True, allow_unused=True)
        if g is not None:
            jac[:, j] = g._data.astype(np.float64).reshape(-1)
    zero = autograd_grad(
        out, x, Tensor(np.zeros(out.shape, out.dtype)), retain_graph=True, allow_unused=True
    )[0]
    if zero is not None and np.any(zero._data != 0):
        raise GradcheckError(
            f"backward not multiplied by grad_output: a zero grad_output for output {k} gave a "
            f"nonzero gradient for an input of shape {x.shape}"
        )
    return jac


def _forward_jacobians(fn: Callable[..., Any], inputs: tuple[Any, ...], i: int) -> list:
    """d output_k / d input_i for every output k, shaped (input numel, output numel) like the
    numerical ones: row r is the output tangents of one forward-mode pass whose only tangent
    is e_r on input i (a column of the Jacobian per pass)."""
    x = inputs[i]
    rows: list[list[np.ndarray]] | None = None
    for r in range(x._data.size):
        direction = np.zeros(x.shape, x.dtype)
        direction.reshape(-1)[r] = 1
        with forward_ad.dual_level():
            args = list(inputs)
            args[i] = forward_ad.make_dual(x, Tensor(direction))
            unpacked = [forward_ad.unpack_dual(o) for o in _outputs(fn(*args))]
        if rows is None:
            rows = [[] for _ in unpacked]
        for k, (p, t) in enumerate(unpacked):
            rows[k].append(
                np.zeros(p._data.size) if t is None else t._data.astype(np.float64).reshape(-1)
            )
    if rows is None:  # an empty input: no passes, zero rows
        outputs = _outputs(fn(*inputs))
        return [np.zeros((0, o._data.size)) for o in outputs]
    return [np.stack(r) if r else np.zeros((0, 0)) for r in rows]


def _compare(
    num: np.ndarray,
    ana: np.ndarray,
    atol: float,
    rtol: float,
    k: int,
    i: int,
    in_shape: tuple[int, ...],
    out_shape: tuple[int, ...],
    mode: str = "analytical",
) -> str | None:
    """None if close; else a message locating the worst element."""
    with np.errstate(invalid="ignore"):
        excess = np.abs(ana - num) - (atol + rtol * np.abs(num))
    bad = ~(excess <= 0)  # NaN counts as bad
    if not bad.any():
        return None
    excess = np.where(np.isnan(excess), np.inf, excess)
    r, c = np.unravel_index(int(np.argmax(excess)), excess.shape)
    in_index = np.unravel_index(r, in_shape) if in_shape else ()
    out_index = np.unravel_index(c, out_shape) if out_shape else ()
    computed = "" if mode == "analytical" else f" computed with {mode}"
    message = (
        f"Jacobian{computed} mismatch for output {k} with respect to input {i}: "
        f"{int(bad.sum())} of {bad.size} entries differ.\n"
        f"Worst: d output{k}{list(map(int, out_index))} / d input{i}{list(map(int, in_index))}"
        f" numerical {num[r, c]:.10g}, {mode} {ana[r, c]:.10g}, "
        f"|difference| {abs(ana[r, c] - num[r, c]):.3g} > atol + rtol*|numerical| = "
        f"{atol + rtol * abs(num[r, c]):.3g}"
    )
    if num.size <= 64:
        message += (
            "\nJacobians have shape (input numel, output numel):"
            f"\nnumerical:\n{np.array2string(num, precision=6)}"
            f"\n{mode}:\n{np.array2string(ana, precision=6)}"
        )
    return message
