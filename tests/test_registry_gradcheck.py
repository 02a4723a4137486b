"""The registry's differentiable ops against central differences, without PyTorch.

For every entry of ``registry.OPS`` with differentiable arguments, on its smooth samples
(float64, non-empty, away from kinks and poles): gradcheck AND gradgradcheck, forward mode
against reverse mode (<u, J v> = <J^T u, v>), that no pass changes an input or the incoming
gradient, and that each ``.grad`` is well formed and shares memory with nothing else.
Adding an op to the registry adds it here.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from opcheck import check_backward_hygiene, check_forward_reverse
from registry import OPS, OpInfo, Sample

import tinygrad_edu as tg
from tinygrad_edu.autograd import Function, gradcheck, gradgradcheck

EXAMPLES = max(3, settings.default.max_examples // 4)
DIFFERENTIABLE = [op for op in OPS if op.differentiable and op.gradcheck]


def split(entry: OpInfo, sample: Sample) -> tuple[list[np.ndarray], Callable]:
    """The differentiable arrays of ``sample`` (flattened out of lists) and a function of
    them alone that calls the op with everything else fixed."""
    arrays: list[np.ndarray] = []
    slots: list[tuple[int, int | None]] = []  # (argument, index in its list or None)
    for i, a in enumerate(sample.args):
        if i not in entry.grad_args:
            continue
        if isinstance(a, list):
            for j, b in enumerate(a):
                arrays.append(b)
                slots.append((i, j))
        elif isinstance(a, np.ndarray):
            arrays.append(a)
            slots.append((i, None))

    def constant(value):
        if isinstance(value, np.ndarray):
            return tg.tensor(value)
        if isinstance(value, list):
            return [constant(v) for v in value]
        return value

    def fn(*xs):
        args = [constant(a) for a in sample.args]
        for x, (i, j) in zip(xs, slots):
            if j is None:
                args[i] = x
            else:
                args[i][j] = x
        kwargs = {k: constant(v) for k, v in sample.kwargs.items()}
        out = entry.op(tg, *args, **kwargs)
        return out[0] if isinstance(out, tuple) else out  # max(dim): the values

    return arrays, fn


@pytest.mark.parametrize("entry", DIFFERENTIABLE, ids=lambda e: e.id)
def test_gradcheck_and_gradgradcheck(entry: OpInfo) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(entry.samples((np.dtype(np.float64),), True))
    def check(sample: Sample) -> None:
        arrays, fn = split(entry, sample)
        assert arrays and all(a.dtype == np.float64 for a in arrays), "nothing to check"
        originals = [a.copy() for a in arrays]
        leaves = [tg.tensor(a, requires_grad=True) for a in arrays]
        out = fn(*leaves)
        if entry.reference is not None:  # the forward against NumPy, in float64
            expected = entry.reference(*sample.args, **sample.kwargs)
            expected = np.asarray(expected[0] if isinstance(expected, tuple) else expected)
            assert out.shape == expected.shape, (out.shape, expected.shape)
            assert out.dtype == np.float64
            np.testing.assert_allclose(out._data, expected, rtol=1e-12, atol=1e-12)
        check_backward_hygiene(out, leaves, originals)
        leaves = [tg.tensor(a, requires_grad=True) for a in arrays]
        assert gradcheck(fn, leaves)
        if entry.second_order:
            assert gradgradcheck(fn, leaves)
        check_forward_reverse(fn, arrays, {})
        for x, a in zip(leaves, originals):
            np.testing.assert_array_equal(x._data, a)  # no pass changed an input

    check()


def test_every_op_but_the_losses_has_a_numpy_reference() -> None:
    """Without PyTorch the forward values are checked against NumPy (the losses have their
    references in test_nn_loss.py)."""
    losses = ("loss", "cross_entropy")
    missing = [
        e.id
        for e in DIFFERENTIABLE
        if e.reference is None and not any(word in e.id for word in losses)
    ]
    assert not missing, missing


def test_registry_ids_are_unique() -> None:
    ids = [e.id for e in OPS]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


@pytest.mark.parametrize("entry", DIFFERENTIABLE, ids=lambda e: e.id)
def test_numpy_forward_ops_call_no_op_inside_forward(entry: OpInfo, monkeypatch) -> None:
    """Ops with ``numpy_forward`` run forward with recording on (Function.apply skips the
    switch): calling an op inside such a forward would record it. None does."""
    inside: list[str] = []
    apply = Function.__dict__["apply"].__func__

    def guarded_apply(cls, *args, **kwargs):
        assert not inside, f"{cls.__name__}.apply called inside {inside[-1]}.forward"
        return apply(cls, *args, **kwargs)

    def watch(op_cls: type) -> None:
        forward = op_cls.forward

        def watched(ctx, *args, **kwargs):
            inside.append(op_cls.__name__)
            try:
                return forward(ctx, *args, **kwargs)
            finally:
                inside.pop()

        monkeypatch.setattr(op_cls, "forward", staticmethod(watched))

    for op_cls in _subclasses(Function):
        if op_cls.numpy_forward:
            watch(op_cls)
    monkeypatch.setattr(Function, "apply", classmethod(guarded_apply))

    @settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck))
    @given(entry.samples((np.dtype(np.float64),), True))
    def check(sample: Sample) -> None:
        arrays, fn = split(entry, sample)
        leaves = [tg.tensor(a, requires_grad=True) for a in arrays]
        out = fn(*leaves)
        gs = tg.autograd.grad(out.sum(), leaves, create_graph=True, allow_unused=True)
        used = [g for g in gs if g is not None and g.requires_grad]
        if used:
            tg.autograd.grad(sum(g.sum() for g in used), leaves, allow_unused=True)

    check()
