"""PyTorch as the oracle: every registry sample through tinygrad_edu and through PyTorch.

For each op of ``registry.OPS`` and each drawn sample this compares

- errors: both raise, or neither does;
- each result's shape, dtype, values (nan-aware, tolerance per dtype) and requires_grad;
- when every differentiable input is float64: the first derivatives (a vector-Jacobian
  product with a fixed random cotangent, ``create_graph=True``) and the second derivatives
  (the derivative of <first derivatives, w> for a fixed random w), nan-aware too.

Whatever differs fails unless ``registry.INTENDED_DIFFERENCES`` lists it (op, aspect and the
samples it concerns). Skipped where PyTorch is not installed. Samples per op: a quarter of
the Hypothesis profile's max_examples (at least 3; set REGISTRY_EXAMPLES=200 to hunt); half
roam (special values, every dtype, empty and 0-d shapes), half are smooth float64 samples
whose derivatives are meaningful.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from registry import INTENDED_DIFFERENCES, OPS, TOLERANCE, OpInfo, Sample

import tinygrad_edu as tg

torch = pytest.importorskip("torch")

EXAMPLES = int(os.environ.get("REGISTRY_EXAMPLES", max(3, settings.default.max_examples // 4)))


@dataclass
class Outcome:
    """What one library did with one sample."""

    error: BaseException | None = None
    outputs: list[Any] | None = None
    grads: list[np.ndarray] | None = None  # first derivatives (None: not compared)
    gradgrads: list[np.ndarray] | None = None
    grad_error: BaseException | None = None


def convert(m: Any, value: Any, requires_grad: bool) -> Any:
    """Arrays become tensors of library ``m`` (inside lists too); the rest stays."""
    if isinstance(value, np.ndarray):
        t = tg.tensor(value) if m is tg else torch.from_numpy(value.copy())
        if requires_grad and value.dtype.kind == "f":
            t.requires_grad_(True)
        return t
    if isinstance(value, list):
        return [convert(m, v, requires_grad) for v in value]
    return value


def constant(m: Any, array: np.ndarray) -> Any:
    return tg.tensor(array) if m is tg else torch.from_numpy(array)


def numpy_of(t: Any) -> np.ndarray:
    return t.detach().numpy(force=True) if isinstance(t, torch.Tensor) else t.detach()._data


def run(m: Any, entry: OpInfo, sample: Sample, derivatives: bool) -> Outcome:
    args = [convert(m, a, i in entry.grad_args) for i, a in enumerate(sample.args)]
    kwargs = {k: convert(m, v, False) for k, v in sample.kwargs.items()}
    leaves = [
        t
        for a in args
        for t in (a if isinstance(a, list) else [a])
        if isinstance(t, (tg.Tensor, torch.Tensor)) and t.requires_grad
    ]
    try:
        out = entry.op(m, *args, **kwargs)
    except Exception as e:  # any error: the other library must raise too
        return Outcome(error=e)
    outputs = list(out) if isinstance(out, tuple) else [out]
    outcome = Outcome(outputs=outputs)
    differentiable = [o for o in outputs if o.requires_grad]
    if not derivatives or not leaves:
        return outcome
    rng = np.random.default_rng(0)
    cotangents = [
        constant(m, rng.uniform(-1, 1, tuple(o.shape)).astype(numpy_of(o).dtype))
        for o in differentiable
    ]
    ws = [rng.uniform(-1, 1, tuple(x.shape)) for x in leaves]
    zeros = [np.zeros(tuple(x.shape)) for x in leaves]
    if not differentiable:
        outcome.grads, outcome.gradgrads = zeros, zeros
        return outcome
    try:
        gs = m.autograd.grad(
            differentiable, leaves, cotangents, create_graph=True, allow_unused=True
        )
        outcome.grads = [z if g is None else numpy_of(g) for g, z in zip(gs, zeros)]
        pairs = [(g, constant(m, w)) for g, w in zip(gs, ws) if g is not None and g.requires_grad]
        outcome.gradgrads = zeros
        if pairs:
            ggs = m.autograd.grad(
                [g for g, _ in pairs], leaves, [w for _, w in pairs], allow_unused=True
            )
            outcome.gradgrads = [z if g is None else numpy_of(g) for g, z in zip(ggs, zeros)]
    except Exception as e:  # (compared like forward errors)
        outcome.grad_error = e
    return outcome


def intended(entry: OpInfo, aspect: str, sample: Sample) -> bool:
    return any(
        d.op == entry.id and d.aspect == aspect and d.when(sample) for d in INTENDED_DIFFERENCES
    )


class Mismatch(AssertionError):
    pass


def close(ours: np.ndarray, theirs: np.ndarray, rtol: float, atol: float) -> bool:
    try:
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, equal_nan=True)
    except AssertionError:
        return False
    return True


def scale(sample: Sample) -> float:
    """1 + the largest finite magnitude among the inputs (for ops that add many terms)."""
    biggest = [
        np.max(np.abs(a[np.isfinite(a)]), initial=0.0)
        for a in sample.arrays()
        if a.dtype.kind == "f"
    ]
    return 1.0 + float(max(biggest, default=0.0))


def compare(entry: OpInfo, sample: Sample) -> None:
    grad_dtypes = {
        a.dtype
        for i, arg in enumerate(sample.args)
        if i in entry.grad_args
        for a in (arg if isinstance(arg, list) else [arg])
        if isinstance(a, np.ndarray) and a.dtype.kind == "f"
    }
    derivatives = entry.differentiable and grad_dtypes == {np.dtype(np.float64)}
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        ours = run(tg, entry, sample, derivatives)
        theirs = run(torch, entry, sample, derivatives)

    def differ(aspect: str, message: str) -> bool:
        """Fail unless the difference is intended; True: stop comparing this sample."""
        if intended(entry, aspect, sample):
            return True
        raise Mismatch(f"{entry.id}: {aspect} differs from PyTorch: {message}\n{sample}")

    if (ours.error is None) != (theirs.error is None):
        differ("error", f"ours raised {ours.error!r}, torch raised {theirs.error!r}")
        return
    if ours.error is not None:
        return
    if len(ours.outputs) != len(theirs.outputs):
        differ("shape", f"{len(ours.outputs)} results, torch {len(theirs.outputs)}")
        return
    magnitude = scale(sample) if entry.accumulates else 1.0
    for k, (a, b) in enumerate(zip(ours.outputs, theirs.outputs)):
        x, y = numpy_of(a), numpy_of(b)
        if x.shape != y.shape and differ("shape", f"result {k}: {x.shape} vs torch {y.shape}"):
            return
        if x.dtype != y.dtype and differ("dtype", f"result {k}: {x.dtype} vs torch {y.dtype}"):
            return
        rtol, atol = TOLERANCE.get(y.dtype, (0.0, 0.0)) if y.dtype.kind == "f" else (0.0, 0.0)
        rtol, atol = entry.tolerance.get(y.dtype, (rtol, atol))
        if not close(x, y, rtol, atol * magnitude) and differ(
            "value", f"result {k}:\n ours  {x!r}\n torch {y!r}"
        ):
            return
        if bool(a.requires_grad) != bool(b.requires_grad) and differ(
            "requires_grad", f"result {k}: {a.requires_grad} vs torch {b.requires_grad}"
        ):
            return
    if not derivatives:
        return
    if (ours.grad_error is None) != (theirs.grad_error is None):
        differ("error", f"backward: ours {ours.grad_error!r}, torch {theirs.grad_error!r}")
        return
    if ours.grad_error is not None:
        return
    rtol, atol = 1e-9, 1e-10 * magnitude
    for aspect, mine, ref in (
        ("grad", ours.grads, theirs.grads),
        ("gradgrad", ours.gradgrads, theirs.gradgrads),
    ):
        for k, (x, y) in enumerate(zip(mine, ref)):
            if not close(x, y, rtol, atol) and differ(
                aspect, f"input {k}:\n ours  {x!r}\n torch {y!r}"
            ):
                break


@pytest.mark.parametrize("entry", OPS, ids=lambda e: e.id)
def test_matches_pytorch(entry: OpInfo) -> None:
    samples = st.one_of(entry.samples(entry.dtypes, False), entry.samples(entry.dtypes, True))

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(samples)
    def check(sample: Sample) -> None:
        compare(entry, sample)

    check()


def test_every_intended_difference_names_a_registry_op() -> None:
    ids = {e.id for e in OPS}
    aspects = {"value", "dtype", "shape", "requires_grad", "grad", "gradgrad", "error"}
    for d in INTENDED_DIFFERENCES:
        assert d.op in ids, d
        assert d.aspect in aspects, d
        assert d.reason and d.condition, d
