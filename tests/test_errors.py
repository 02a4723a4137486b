"""Every documented error of the core: its message names the shapes, dtypes or values at
fault, and it is raised before any state changes (inputs, .grad, versions untouched)."""

from __future__ import annotations

import re

import numpy as np
import pytest

import tinygrad_edu as tg


def leaf(values):
    return tg.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def snapshot(*tensors):
    return [(t._data.copy(), t.grad, t._version, t.grad_fn) for t in tensors]


def assert_unchanged(tensors, before):
    for t, (data, grad, version, grad_fn) in zip(tensors, before):
        np.testing.assert_array_equal(t._data, data)
        assert t.grad is grad and t._version == version and t.grad_fn is grad_fn


CASES = {
    "matmul": (
        lambda a, b: a @ b,
        [(2, 3), (4, 5)],
        ValueError,
        "matmul: shapes (2, 3) and (4, 5) are not aligned: 3 != 4",
    ),
    "matmul_batch": (
        lambda a, b: a @ b,
        [(2, 2, 3), (3, 3, 1)],
        ValueError,
        "matmul: the batch dimensions of shapes (2, 2, 3) and (3, 3, 1) cannot be broadcast",
    ),
    "matmul_0d": (
        lambda a, b: a @ b,
        [(), (3,)],
        ValueError,
        "matmul: both arguments need at least 1 dimension, got shapes () and (3,)",
    ),
    "add": (
        lambda a, b: a + b,
        [(2, 3), (4,)],
        ValueError,
        "add: shapes (2, 3) and (4,) cannot be broadcast together",
    ),
    "mul": (
        lambda a, b: a * b,
        [(3,), (2,)],
        ValueError,
        "mul: shapes (3,) and (2,) cannot be broadcast together",
    ),
    "where": (
        lambda a, b: tg.where(tg.tensor(np.ones(2, bool)), a, b),
        [(3,), (3,)],
        ValueError,
        "where: shapes (2,), (3,) and (3,) cannot be broadcast together",
    ),
    "reshape": (
        lambda a: a.reshape(4, 2),
        [(2, 3)],
        ValueError,
        "reshape: cannot reshape a tensor of shape (2, 3) (6 elements) into shape (4, 2)",
    ),
    "dim": (
        lambda a: a.sum(2),
        [(2, 3)],
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    ),
    "dim_negative": (
        lambda a: a.softmax(-3),
        [(2, 3)],
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got -3)",
    ),
    "dim_twice": (lambda a: a.sum((1, -1)), [(2, 3)], ValueError, "dim (1, -1) names the same"),
    "permute": (
        lambda a: a.permute(0, 0),
        [(2, 3)],
        ValueError,
        "permute: dims (0, 0) are not a permutation of the 2 dimensions of a tensor of shape "
        "(2, 3)",
    ),
    "expand": (
        lambda a: a.expand(2, 4),
        [(2, 3)],
        ValueError,
        "expand: the shape (2, 3) cannot be expanded to (2, 4)",
    ),
    "index": (
        lambda a: a[5],
        [(2, 3)],
        IndexError,
        "index 5 is invalid for a tensor of shape (2, 3)",
    ),
    "float_index": (
        lambda a: a[tg.tensor([0.5])],
        [(2, 3)],
        IndexError,
        "tensors used as indices must be long, int or bool tensors, got float32",
    ),
    "cat": (
        lambda a, b: tg.cat([a, b], 1),
        [(2, 3), (3, 3)],
        ValueError,
        "cat: tensors must have the same shape except in dimension 1; got (2, 3) and (3, 3)",
    ),
    "cat_0d": (
        lambda a, b: tg.cat([a, b]),
        [(), ()],
        RuntimeError,
        "cat: zero-dimensional tensor (at position 0) cannot be concatenated; use stack()",
    ),
    "amax_empty": (
        lambda a: a.amax(1),
        [(2, 0)],
        RuntimeError,
        "amax(): cannot reduce over an empty dimension of a tensor of shape (2, 0)",
    ),
    "stack": (
        lambda a, b: tg.stack([a, b]),
        [(2, 3), (3, 2)],
        ValueError,
        "stack: expects each tensor to be equal size, but got (2, 3) and (3, 2)",
    ),
    "clamp": (
        lambda a: a.clamp(),
        [(2,)],
        RuntimeError,
        "clamp: at least one of 'min' or 'max' must not be None",
    ),
    "item": (
        lambda a: a.item(),
        [(2, 3)],
        RuntimeError,
        "a Tensor with 6 elements cannot be converted to a Python number",
    ),
    "bool": (
        lambda a: bool(a),
        [(2,)],
        RuntimeError,
        "Boolean value of Tensor with more than one value is ambiguous",
    ),
    "numpy": (
        lambda a: a.numpy(),
        [(2,)],
        RuntimeError,
        "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy()",
    ),
    "add_shape": (
        lambda a: (a * 1).add_(tg.ones(2, 2, dtype=tg.float64)),
        [(2,)],
        RuntimeError,
        "add_: output with shape (2,) doesn't match the broadcast shape (2, 2)",
    ),
    "leaf_inplace": (
        lambda a: a.mul_(2),
        [(2,)],
        RuntimeError,
        "mul_: a leaf Variable that requires grad (shape (2,)) is being used in an in-place",
    ),
    "setitem_leaf": (
        lambda a: a.__setitem__(0, 1.0),
        [(2,)],
        RuntimeError,
        "__setitem__: a leaf Variable that requires grad",
    ),
    "backward_gradient_shape": (
        lambda a: (a * 2).backward(tg.tensor(np.ones(3))),
        [(2,)],
        RuntimeError,
        "Mismatch in shape: grad_output[0] has a shape of (3,) and output[0] has a shape of (2,)",
    ),
    "non_scalar_backward": (
        lambda a: (a * 2).backward(),
        [(2,)],
        RuntimeError,
        "grad can be implicitly created only for scalar outputs",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_error_message_and_no_state_change(name):
    fn, shapes, error, message = CASES[name]
    rng = np.random.default_rng(0)
    xs = [leaf(rng.normal(size=s)) for s in shapes]
    before = snapshot(*xs)
    with pytest.raises(error, match=re.escape(message)):
        fn(*xs)
    assert_unchanged(xs, before)


def test_requires_grad_on_integer_tensor():
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype can require"):
        tg.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="int64"):
        tg.arange(3).requires_grad_()
    with pytest.raises(RuntimeError, match="int64"):
        tg.zeros(2, dtype=tg.int64, requires_grad=True)


def test_requires_grad_false_on_non_leaf():
    y = leaf([1.0]) * 2
    with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf variables"):
        y.requires_grad = False
    assert y.requires_grad


def test_mean_of_integer_tensor():
    with pytest.raises(
        TypeError, match="mean\\(\\): input dtype must be floating point, got int64"
    ):
        tg.tensor([1, 2]).mean()


def test_where_condition_must_be_bool():
    with pytest.raises(TypeError, match="where: condition must be a bool tensor, got int64"):
        tg.where(tg.tensor([1, 0]), leaf([1.0, 2.0]), 0.0)


def test_copy_shape_error_leaves_tensor_unchanged():
    t = tg.zeros(2, 3)
    with pytest.raises(
        ValueError, match=re.escape("copy_: the source shape (4,) cannot be broadcast to (2, 3)")
    ):
        t.copy_(np.ones(4))
    assert t._version == 0 and not t._data.any()


def test_inplace_dtype_error_leaves_tensor_unchanged():
    t = tg.tensor([1, 2])
    with pytest.raises(
        RuntimeError, match="result type float32 can't be cast to the desired output type int64"
    ):
        t.mul_(1.5)
    np.testing.assert_array_equal(t._data, [1, 2])
    assert t._version == 0


def test_freed_graph_error_leaves_grads_unchanged():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    g = x.grad._data.copy()
    with pytest.raises(RuntimeError, match="Specify retain_graph=True"):
        y.backward()
    np.testing.assert_array_equal(x.grad._data, g)


def test_saved_tensor_modified_error_names_op_and_version():
    x = leaf([1.0, 2.0])
    y = x * 1
    z = (y.sin()).sum()
    y.add_(1)
    with pytest.raises(
        RuntimeError, match=r"SinBackward's saved tensor 0 .* is at version 1; expected version 0"
    ):
        z.backward()
    assert x.grad is None


def test_grad_input_not_requiring_grad():
    x = leaf([1.0])
    with pytest.raises(
        RuntimeError, match=re.escape("grad: inputs[0] (shape (1,)) does not require grad")
    ):
        tg.autograd.grad((x * 2).sum(), tg.tensor([1.0]))


def test_factory_errors():
    with pytest.raises(ValueError, match=re.escape("zeros: negative dimension in size (2, -1)")):
        tg.zeros(2, -1)
    with pytest.raises(ValueError, match="randint: low \\(3\\) must be smaller than high \\(3\\)"):
        tg.randint(3, 3, (2,))
    with pytest.raises(TypeError, match=r"from_numpy expected a numpy\.ndarray, got list"):
        tg.from_numpy([1, 2])
    with pytest.raises(AssertionError, match="CPU only"):
        tg.ones(1).to("cuda")


def test_integer_to_negative_integer_power():
    """As PyTorch: a Python int exponent below 0 is refused; a tensor of exponents gives the
    integer part of the result (1 for base 1, +-1 for base -1, else 0)."""
    base, exponent = tg.tensor([2, 3, 1, -1, -1]), tg.tensor([1, -1, -2, -3, -2])
    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "pow: Integers to negative integer powers are not allowed (int64 tensor of shape "
            "(5,) to the power -1); use .float()"
        ),
    ):
        base**-1
    np.testing.assert_array_equal((base**exponent)._data, [2, 0, 1, -1, 1])
    np.testing.assert_array_equal(exponent._data, [1, -1, -2, -3, -2])


def test_abs_of_bool():
    with pytest.raises(TypeError, match="abs\\(\\): not supported for tensors of dtype bool"):
        tg.tensor([True, False]).abs()
