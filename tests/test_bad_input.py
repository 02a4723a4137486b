"""A mistake a user makes gets an error that names the function and the argument at fault,
raised before anything changes; never a NumPy or Python internal message, never a silent
wrong answer (issue 17). One test per case, then a Hypothesis sweep over the losses."""

from __future__ import annotations

import json
import os
import re
import stat
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn
from tinygrad_edu.datasets.mnist import IMAGES_MAGIC, _parse_idx
from tinygrad_edu.utils.data import default_collate, random_split

INTERNALS = re.compile(
    r"tuple index out of range|inhomogeneous|cannot reshape|numpy boolean|partial|"
    r"maximum recursion|\.tmp-|operands could not be broadcast|object has no attribute"
)


def log_probs(n: int = 4, c: int = 5) -> tg.Tensor:
    return tg.randn(n, c).log_softmax(1)


# ------------------------------------------------------------------ silently wrong before
@pytest.mark.parametrize("size", [3, 7])
@pytest.mark.parametrize("fn", [F.nll_loss, F.cross_entropy])
def test_class_weight_of_the_wrong_size_raises(fn, size):
    with pytest.raises(RuntimeError, match=rf"{fn.__name__}: weight tensor .* all 5 classes"):
        fn(log_probs(), tg.tensor([0, 1, 2, 3]), weight=tg.ones(size))
    with pytest.raises(RuntimeError, match=rf"{fn.__name__}: weight .* shape: \(5, 1\)"):
        fn(log_probs(), tg.tensor([0, 1, 2, 3]), weight=tg.ones(5, 1))
    assert np.isfinite(fn(log_probs(), tg.tensor([0, 1, 2, 3]), weight=tg.ones(5)).item())


def test_binary_cross_entropy_refuses_targets_outside_0_1():
    p = tg.tensor([0.5, 0.5])
    with pytest.raises(RuntimeError, match="binary_cross_entropy: all elements of target"):
        F.binary_cross_entropy(p, tg.tensor([1.5, -0.5]))
    with pytest.raises(RuntimeError, match="all elements of target"):
        F.binary_cross_entropy(p, tg.tensor([float("nan"), 0.0]))
    assert np.isfinite(F.binary_cross_entropy(p, tg.tensor([1.0, 0.0])).item())


def test_random_split_refuses_fractional_counts():
    with pytest.raises(TypeError, match=r"random_split: .*got 6\.5 at index 0"):
        random_split(list(range(10)), [6.5, 3.5])
    with pytest.raises(ValueError, match=r"random_split: fractions .* must sum to 1"):
        random_split(list(range(10)), [0.5, 0.6])
    with pytest.raises(ValueError, match="random_split: lengths must not be negative"):
        random_split(list(range(10)), [-1, 11])
    assert [len(s) for s in random_split(list(range(10)), [0.7, 0.3])] == [7, 3]


def test_register_buffer_cannot_replace_a_parameter():
    layer = nn.Linear(2, 2)
    weight = layer.weight
    with pytest.raises(KeyError, match="register_buffer: attribute 'weight' already exists"):
        layer.register_buffer("weight", tg.zeros(2))
    assert layer.weight is weight and list(layer.state_dict()) == ["weight", "bias"]
    with pytest.raises(KeyError, match=r"register_parameter: .*\(a buffer"):
        layer.register_buffer("running", tg.zeros(2))
        layer.register_parameter("running", nn.Parameter(tg.zeros(2)))
    with pytest.raises(KeyError, match=r"add_module: .*\(a parameter"):
        layer.add_module("bias", nn.ReLU())


def test_load_state_dict_checks_every_dtype_before_writing():
    layer = nn.Linear(2, 2)
    before = {k: v._data.copy() for k, v in layer.state_dict().items()}
    state = {"weight": np.full((2, 2), 7.0), "bias": np.array(["a", "b"])}
    with pytest.raises(RuntimeError, match=r'"bias", expected numbers .* dtype <U1'):
        layer.load_state_dict(state)
    for key, value in layer.state_dict().items():
        np.testing.assert_array_equal(value._data, before[key])  # weight not overwritten
    layer.load_state_dict({"weight": np.ones((2, 2), np.int64), "bias": np.array([True, False])})
    assert layer.weight.dtype == np.float32 and layer.bias.tolist() == [1.0, 0.0]


# ------------------------------------------------------------------ internals leaked before
def test_bool_minus_bool_names_the_operator():
    with pytest.raises(RuntimeError, match=r"sub: Subtraction.*two bool tensors.*logical_xor"):
        tg.tensor([True]) - tg.tensor([False])


def test_a_ragged_nested_list_says_where():
    with pytest.raises(ValueError, match="ragged at dim 1: entry 0 is a sequence of length 2 but"):
        tg.tensor([[1, 2], [3]])
    with pytest.raises(ValueError, match=r"ragged at dim 2: .* entry 1 is a sequence of length 1"):
        tg.tensor([[[1, 2], [3, 4]], [[1, 2], [3]]])


@pytest.mark.parametrize("fn", [F.nll_loss, F.cross_entropy])
def test_class_losses_on_a_0d_input_name_the_input(fn):
    with pytest.raises(ValueError, match=rf"{fn.__name__}: input must have 1 or more dimensions"):
        fn(tg.tensor(1.0), tg.tensor(0))


def test_a_backward_hook_returning_a_wrong_shape_names_the_hook():
    layer = nn.Linear(3, 2)

    def widen(module, grad_input, grad_output):
        return (tg.ones(5),)

    layer.register_full_backward_hook(widen)
    x = tg.randn(4, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"hook 'test_.*widen' of Linear .* \(5,\) .* \(4, 3\)"):
        layer(x).sum().backward()


def write_index(path: Path, root: object, arrays: dict[str, np.ndarray]) -> None:
    index = {"format": "tinygrad_edu.checkpoint", "version": 1, "root": root}
    with open(path, "wb") as f:
        np.savez(f, **arrays, __index__=np.array(json.dumps(index)))


def test_a_tampered_checkpoint_index_raises_loads_error(tmp_path):
    path = tmp_path / "int.pt"
    write_index(path, {"type": "tensor", "array": "arr_0", "requires_grad": True},
                {"arr_0": np.arange(3)})  # fmt: skip
    with pytest.raises(RuntimeError, match=r"int\.pt is not a readable .* int64 .*requires_grad"):
        tg.load(path)
    deep = tmp_path / "deep.pt"
    depth = 50_000
    text = '{"type": "list", "items": [' * depth + '{"type": "value", "value": 1}' + "]}" * depth
    header = '{"format": "tinygrad_edu.checkpoint", "version": 1, "root": '
    with open(deep, "wb") as f:
        np.savez(f, __index__=np.array(header + text + "}"))
    with pytest.raises(RuntimeError, match=r"deep\.pt is not a readable"):
        tg.load(deep)
    odd = tmp_path / "odd.pt"
    write_index(odd, [1, 2], {})
    with pytest.raises(RuntimeError, match=r"odd\.pt is not a readable .* a list where an entry"):
        tg.load(odd)


def test_saving_into_a_missing_directory_names_the_target(tmp_path):
    target = tmp_path / "nowhere" / "model.pt"
    with pytest.raises(RuntimeError, match=r"Parent directory .*nowhere does not exist") as info:
        tg.save({"w": tg.ones(2)}, target)
    assert "model.pt" in str(info.value) and ".tmp-" not in str(info.value)
    with pytest.raises(IsADirectoryError, match="is a directory"):
        tg.save({}, tmp_path)


def test_save_keeps_the_mode_and_writes_through_a_symlink(tmp_path):
    path = tmp_path / "model.pt"
    umask = os.umask(0o022)
    try:
        tg.save({"w": tg.ones(2)}, path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o644  # 0o666 less the umask
        path.chmod(0o640)
        tg.save({"w": tg.ones(3)}, path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
    finally:
        os.umask(umask)
    link = tmp_path / "latest.pt"
    link.symlink_to(path)
    tg.save({"w": tg.ones(4)}, link)
    assert link.is_symlink() and tg.load(path)["w"].shape == (4,)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.pt", "model.pt"]


def trained_adam():
    layer = nn.Linear(2, 2)
    opt = tg.optim.Adam(layer.parameters(), lr=0.1)
    layer(tg.randn(3, 2)).sum().backward()
    opt.step()
    return layer, opt


def test_optimizer_load_state_dict_refuses_values_that_would_crash_step():
    layer, opt = trained_adam()
    saved = opt.state_dict()
    before = {k: v.numpy().copy() for k, v in opt.state[layer.weight].items()}
    for bad, error, message in [
        ("abc", TypeError, r"state 'exp_avg' of parameter 0 is a str"),
        (np.array([["a", "b"], ["c", "d"]]), TypeError, r"'exp_avg' .* dtype <U1"),
        (np.zeros(3), ValueError, r"'exp_avg' has shape \(3,\)"),
    ]:
        state = {"state": {**saved["state"], 0: {**saved["state"][0], "exp_avg": bad}},
                 "param_groups": saved["param_groups"]}  # fmt: skip
        with pytest.raises(error, match=message):
            opt.load_state_dict(state)
    for key, value in opt.state[layer.weight].items():
        np.testing.assert_array_equal(value.numpy(), before[key])
    # A numeric array is taken as a Tensor of the parameter's dtype, and step() works.
    array = np.zeros((2, 2))
    state = {"state": {**saved["state"], 0: {**saved["state"][0], "exp_avg": array}},
             "param_groups": saved["param_groups"]}  # fmt: skip
    opt.load_state_dict(state)
    assert opt.state[layer.weight]["exp_avg"].dtype == np.float32
    layer(tg.randn(3, 2)).sum().backward()
    opt.step()


def test_collating_ragged_samples_names_the_sizes():
    for batch in ([tg.zeros(2), tg.zeros(3)], [np.zeros(2), np.zeros(3)]):
        with pytest.raises(RuntimeError, match=r"default_collate: .* \(2,\) at entry 0 and \(3,\)"):
            default_collate(batch)
    with pytest.raises(RuntimeError, match="entry 0 has 2 fields and entry 1 has 3"):
        default_collate([(1, 2), (1, 2, 3)])


def test_an_idx_header_overflowing_int64_fails_the_size_check():
    content = struct.pack(">IIII", IMAGES_MAGIC, 2**31, 2**31, 4)  # 2^64 bytes promised
    with pytest.raises(ValueError, match="promises 18446744073709551616 for shape"):
        _parse_idx(content, Path("images"), IMAGES_MAGIC)


# ------------------------------------------------------------------ Hypothesis sweep
def _tensor(shape, kind):
    if kind == "f":
        return tg.tensor(np.random.default_rng(0).random(shape).astype(np.float32))
    if kind == "i":
        return tg.tensor(np.zeros(shape, np.int64))
    return tg.tensor(np.zeros(shape, bool))


shapes = st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple)

# function, the argument a mistake is fed to, and how to call it with that argument wrong
LOSSES = ["mse_loss", "l1_loss", "nll_loss", "cross_entropy", "binary_cross_entropy",
          "binary_cross_entropy_with_logits"]  # fmt: skip


@st.composite
def bad_calls(draw):
    """(function name, argument name, thunk): one wrong shape, dtype or value."""
    name = draw(st.sampled_from(LOSSES))
    fn = getattr(F, name)
    n, c = draw(st.integers(1, 4)), draw(st.integers(2, 5))
    x = _tensor((n, c), "f")
    good_target = {
        "mse_loss": _tensor((n, c), "f"),
        "l1_loss": _tensor((n, c), "f"),
        "nll_loss": tg.tensor(np.zeros(n, np.int64)),
        "cross_entropy": tg.tensor(np.zeros(n, np.int64)),
        "binary_cross_entropy": _tensor((n, c), "f"),
        "binary_cross_entropy_with_logits": _tensor((n, c), "f"),
    }[name]
    choices = ["target_type", "input_type"]
    if name in ("nll_loss", "cross_entropy"):
        choices += ["weight_size", "input_0d", "target_shape", "target_value", "target_dtype"]
    if name in ("binary_cross_entropy", "binary_cross_entropy_with_logits"):
        choices += ["weight_size", "target_shape"]
    if name == "binary_cross_entropy":
        choices += ["target_value", "input_value"]
    if name in ("mse_loss", "l1_loss"):
        choices += ["target_shape"]
    mistake = draw(st.sampled_from([*choices, "reduction"]))
    if mistake == "target_type":
        wrong = draw(st.sampled_from(["a", [1, 2], {}, np.zeros((n, c))]))
        return name, "target", lambda: fn(x, wrong)
    if mistake == "reduction":
        reduction = draw(st.sampled_from(["avg", "elementwise_mean", "", "Mean"]))
        return name, "reduction", lambda: fn(x, good_target, reduction=reduction)
    if mistake == "input_type":
        return name, "input", lambda: fn(x.numpy(), good_target)
    if mistake == "weight_size":
        size = draw(st.integers(1, 7).filter(lambda k: k not in (1, c)))
        return name, "weight", lambda: fn(x, good_target, weight=tg.ones(size))
    if mistake == "input_0d":
        return name, "input", lambda: fn(tg.tensor(1.0), tg.tensor(0))
    if mistake == "target_shape":
        shape = draw(shapes.filter(lambda s: s not in (good_target.shape, (c,), (1,), ())))
        if name in ("mse_loss", "l1_loss"):
            shape = (n + 1, c + 1)  # cannot broadcast with (n, c)
        return name, "target", lambda: fn(x, _tensor(shape, good_target.dtype.kind))
    if mistake == "target_dtype":
        return name, "target", lambda: fn(x, _tensor((n + 1,), "f"))
    if mistake == "input_value":
        return name, "input", lambda: fn(x + 2, good_target)
    value = draw(st.sampled_from([-3, c, c + 5] if name != "binary_cross_entropy" else [1.5, -1]))
    bad = tg.tensor(np.full(good_target.shape, value, dtype=good_target.dtype))
    return name, "target", lambda: fn(x, bad)


@given(bad_calls())
def test_every_loss_names_itself_and_the_argument_at_fault(call):
    name, argument, thunk = call
    with pytest.raises((TypeError, ValueError, RuntimeError, IndexError)) as info:
        thunk()
    message = str(info.value)
    assert name in message, message
    assert argument in message.lower(), message
    assert not INTERNALS.search(message), message


@st.composite
def bad_layer_calls(draw):
    """(function name, argument name, thunk) for the layers' functional forms."""
    n, i, o = draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    x, w = _tensor((n, i), "f"), _tensor((o, i), "f")
    not_a_tensor = draw(st.sampled_from([np.zeros((n, i), np.float32), [[1.0]], 2.0, "x"]))
    mistake = draw(
        st.sampled_from(["linear_in", "linear_bias", "linear_type", "activation", "dropout_p"])
    )
    if mistake == "linear_in":
        wrong = _tensor((o, i + draw(st.integers(1, 3))), "f")
        return "linear", "weight", lambda: F.linear(x, wrong)
    if mistake == "linear_bias":
        wrong = _tensor((o + draw(st.integers(1, 3)),), "f")
        return "linear", "bias", lambda: F.linear(x, w, wrong)
    if mistake == "linear_type":
        return "linear", "input", lambda: F.linear(not_a_tensor, w)
    if mistake == "activation":
        name = draw(st.sampled_from(["relu", "leaky_relu", "sigmoid", "tanh"]))
        return name, "input", lambda: getattr(F, name)(not_a_tensor)
    p = draw(st.sampled_from([-0.1, 1.5, 2, float("inf")]))
    return "dropout", "p", lambda: F.dropout(x, p)


@given(bad_layer_calls())
def test_every_layer_function_names_itself_and_the_argument_at_fault(call):
    name, argument, thunk = call
    with pytest.raises((TypeError, ValueError, RuntimeError)) as info:
        thunk()
    message = str(info.value)
    assert message.startswith(name), message
    assert argument in message, message
    assert not INTERNALS.search(message), message


@pytest.mark.parametrize("size", [-1, 2.5, "3", None])
def test_linear_refuses_a_size_that_is_not_a_count(size):
    with pytest.raises(ValueError, match=r"Linear: in_features must be a whole number >= 0"):
        nn.Linear(size, 2)
