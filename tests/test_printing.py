"""Tensors and shapes print as PyTorch prints them (_printing.py)."""

import numpy as np
import pytest

import tinygrad_edu as tg

CASES = [
    lambda m: m.tensor([1.5, 2.0, 3.25], requires_grad=True),
    lambda m: m.tensor([1, 2]),
    lambda m: m.tensor(3.14159),
    lambda m: m.tensor([1e-5, 1e5]),
    lambda m: m.tensor([-0.0001234, 5.0]),
    lambda m: m.tensor([123456789.0, 1.0]),
    lambda m: m.tensor([True, False]),
    lambda m: m.tensor([1, 2], dtype=m.int32),
    lambda m: m.zeros(2, 3, dtype=m.float64),
    lambda m: m.tensor(2.0, dtype=m.float64),
    lambda m: m.tensor([[1.0, 2], [3, 4]]),
    lambda m: m.tensor([[[1.0, -2.5], [3, 4]], [[5, 6], [7, 8]]]),
    lambda m: m.tensor([float("nan"), float("inf"), 1.0]),
    lambda m: m.tensor([0.0, 0.0]),
    lambda m: m.arange(30.0) * 1.5,
    lambda m: m.arange(2000.0).reshape(40, 50),
    lambda m: m.arange(3000).reshape(10, 10, 30),
    lambda m: m.zeros(0, 3),
    lambda m: m.zeros(0),
    lambda m: m.tensor([0.25, 0.5], dtype=m.float16),
    lambda m: m.arange(24.0, dtype=m.float64).reshape(2, 12) / 7,
]


def test_known_strings():
    assert repr(tg.tensor([1.5, 2.0], requires_grad=True)) == (
        "tensor([1.5000, 2.0000], requires_grad=True)"
    )
    assert repr(tg.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(tg.tensor([1e-5, 1.0])) == "tensor([1.0000e-05, 1.0000e+00])"
    assert repr(tg.ones(2, dtype=tg.float64)) == "tensor([1., 1.], dtype=torch.float64)"
    assert repr(tg.zeros(0, 2)) == "tensor([], size=(0, 2))"
    y = tg.tensor([1.0], requires_grad=True) * 2
    assert repr(y) == f"tensor([2.], grad_fn=<{y.grad_fn.name()}>)"
    assert repr(tg.arange(1001))[:24] == "tensor([   0,    1,    2"
    assert "..." in repr(tg.arange(1001))


def test_size():
    s = tg.zeros(3, 4).shape
    assert repr(s) == str(s) == "torch.Size([3, 4])" and s == (3, 4) and isinstance(s, tuple)
    assert tg.zeros(3, 4).size() == s and tg.zeros(3, 4).size(1) == 4
    assert repr(s[1:]) == "torch.Size([4])" and s[0] == 3
    assert repr(s + (5,)) == "torch.Size([3, 4, 5])" and s.numel() == 12
    assert f"{s}" == "(3, 4)"  # f-strings: the plain tuple (see Size.__format__)
    assert repr(tg.tensor(1.0).shape) == "torch.Size([])"


@pytest.mark.parametrize("make", CASES)
def test_matches_torch(make):
    torch = pytest.importorskip("torch")
    assert repr(make(tg)) == repr(make(torch))
    assert str(make(tg).shape) == str(make(torch).shape)


def test_default_dtype_changes_the_suffix():
    tg.set_default_dtype(tg.float64)
    try:
        assert repr(tg.tensor([1.5])) == "tensor([1.5000])"
        assert repr(tg.tensor([1.5], dtype=np.float32)) == "tensor([1.5000], dtype=torch.float32)"
    finally:
        tg.set_default_dtype(tg.float32)
