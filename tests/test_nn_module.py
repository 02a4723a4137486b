"""Module: registration, traversal, modes, state_dict key names, all-or-nothing
load_state_dict, containers and reprs."""

import copy
from collections import OrderedDict

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
from tinygrad_edu import Tensor
from tinygrad_edu.serialization import load, save


class CreditApprovalNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 2)
        self.act = nn.ReLU()
        self.output = nn.Linear(2, 1)
        self.register_buffer("scale", Tensor(np.ones(4, dtype=np.float32)))
        self.register_buffer("scratch", Tensor(np.zeros(1, dtype=np.float32)), persistent=False)

    def forward(self, x):
        return self.output(self.act(self.hidden(x * self.scale))).sigmoid()


CREDIT_REPR = """CreditApprovalNet(
  (hidden): Linear(in_features=4, out_features=2, bias=True)
  (act): ReLU()
  (output): Linear(in_features=2, out_features=1, bias=True)
)"""


def test_registration_and_pytorch_key_names():
    net = CreditApprovalNet()
    assert [n for n, _ in net.named_parameters()] == [
        "hidden.weight", "hidden.bias", "output.weight", "output.bias"
    ]  # fmt: skip
    assert list(net.state_dict()) == [
        "scale", "hidden.weight", "hidden.bias", "output.weight", "output.bias"
    ]  # fmt: skip
    assert [type(m).__name__ for m in net.children()] == ["Linear", "ReLU", "Linear"]
    assert [n for n, _ in net.named_modules()] == ["", "hidden", "act", "output"]
    assert len(list(net.modules())) == 4 and len(list(net.parameters())) == 4
    assert [n for n, _ in net.named_buffers()] == ["scale", "scratch"]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in net.parameters())
    assert repr(net) == CREDIT_REPR
    seq = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_plain_tensors_are_not_parameters_and_reassignment_moves_entries():
    net = nn.Module()
    net.w = Tensor(np.ones(2), requires_grad=True)  # a plain attribute, as in PyTorch
    net.p = nn.Parameter(np.ones(2))
    assert [n for n, _ in net.named_parameters()] == ["p"]
    net.p = None
    assert net.p is None and list(net.parameters()) == []
    with pytest.raises(TypeError, match="Parameter or None expected"):
        net.p = Tensor(np.ones(2))
    shared = nn.Linear(2, 2)
    net.a, net.b = shared, shared
    assert len(list(net.parameters())) == 2  # a shared layer counts once
    del net.a
    assert [n for n, _ in net.named_children()] == ["b"]
    with pytest.raises(AttributeError, match=r"before Module\.__init__"):

        class Broken(nn.Module):
            def __init__(self):
                self.layer = nn.Linear(1, 1)

        Broken()


def test_train_eval_zero_grad_apply_requires_grad():
    net = nn.Sequential(nn.Linear(3, 2), nn.Dropout(), nn.Sequential(nn.ReLU()))
    assert all(m.training for m in net.modules())
    assert net.eval() is net and not any(m.training for m in net.modules())
    net.train()
    assert net[2][0].training
    net(tg.randn(4, 3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all((p.grad._data == 0).all() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    visited = []
    net.apply(lambda m: visited.append(type(m).__name__))
    assert visited == ["Linear", "Dropout", "ReLU", "Sequential", "Sequential"]
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_containers():
    layers = [nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1)]
    seq = nn.Sequential(*layers)
    assert len(seq) == 3 and seq[0] is layers[0] and seq[-1] is layers[2]
    assert isinstance(seq[:2], nn.Sequential) and len(seq[:2]) == 2
    assert list(seq) == layers
    x = tg.randn(5, 2)
    np.testing.assert_array_equal(seq(x)._data, layers[2](layers[1](layers[0](x)))._data)
    named = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.Tanh())]))
    assert list(named.state_dict()) == ["fc.weight", "fc.bias"]
    with pytest.raises(IndexError):
        seq[3]
    blocks = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    blocks.append(nn.ReLU())
    assert len(blocks) == 4 and list(blocks.state_dict())[-1] == "2.bias"
    assert repr(blocks) == (
        "ModuleList(\n  (0-2): 3 x Linear(in_features=2, out_features=2, bias=True)\n"
        "  (3): ReLU()\n)"
    )
    heads = nn.ModuleDict({"a": nn.Linear(2, 1), "b": nn.Identity()})
    assert list(heads) == ["a", "b"] and "a" in heads and len(heads) == 2
    assert list(heads.state_dict()) == ["a.weight", "a.bias"]
    assert repr(heads) == (
        "ModuleDict(\n  (a): Linear(in_features=2, out_features=1, bias=True)\n  (b): Identity()\n)"
    )


def test_parameter_repr_and_sharing():
    data = Tensor(np.array([1.0, 2.0], dtype=np.float32))
    p = nn.Parameter(data)
    assert p._data is data._data  # shares memory, like PyTorch
    assert repr(p) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    assert not isinstance(p * 2, nn.Parameter)  # results of ops are plain tensors
    frozen = nn.Parameter(np.zeros(2), requires_grad=False)
    assert not frozen.requires_grad


def test_state_dict_shares_memory_and_is_detached():
    layer = nn.Linear(2, 2)
    sd = layer.state_dict()
    assert not sd["weight"].requires_grad and sd["weight"]._data is layer.weight._data
    assert layer.state_dict(keep_vars=True)["weight"] is layer.weight


def test_load_state_dict_round_trip_through_save_and_load(tmp_path):
    tg.manual_seed(0)
    source, target = CreditApprovalNet(), CreditApprovalNet()
    with tg.no_grad():
        source.scale.mul_(3.0)
    save(source.state_dict(), tmp_path / "net.pt")
    result = target.load_state_dict(load(tmp_path / "net.pt"))
    assert repr(result) == "<All keys matched successfully>"
    for (k, a), (_, b) in zip(source.state_dict().items(), target.state_dict().items()):
        np.testing.assert_array_equal(a._data, b._data, err_msg=k)
        assert a.dtype == b.dtype
    x = tg.randn(3, 4)
    np.testing.assert_array_equal(source(x)._data, target(x)._data)


def test_failed_load_state_dict_lists_every_problem_and_changes_nothing():
    net = CreditApprovalNet()
    before = copy.deepcopy({k: v._data for k, v in net.state_dict().items()})
    bad = {k: Tensor(np.full(v.shape, 7.0, dtype=v.dtype)) for k, v in net.state_dict().items()}
    del bad["output.bias"]  # missing
    bad["hidden.weight"] = Tensor(np.zeros((3, 4)))  # wrong shape
    bad["extra.weight"] = Tensor(np.zeros(1))  # unexpected
    bad["stray"] = Tensor(np.zeros(1))  # unexpected
    with pytest.raises(RuntimeError) as info:
        net.load_state_dict(bad)
    message = str(info.value)
    assert message.startswith("Error(s) in loading state_dict for CreditApprovalNet")
    assert 'Missing key(s) in state_dict: "output.bias"' in message
    assert 'Unexpected key(s) in state_dict: "extra.weight", "stray"' in message
    assert "size mismatch for hidden.weight: copying a param with shape (3, 4)" in message
    for k, v in net.state_dict().items():
        np.testing.assert_array_equal(v._data, before[k], err_msg=k)  # bit-equal: nothing loaded


def test_load_state_dict_non_strict_and_numpy_values():
    net = nn.Linear(2, 3)
    result = net.load_state_dict({"weight": np.ones((3, 2)), "junk": np.zeros(1)}, strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["junk"]
    np.testing.assert_array_equal(net.weight._data, np.ones((3, 2)))
    assert net.weight.dtype == np.float32  # the checkpoint's float64 was cast
    with pytest.raises(RuntimeError, match="size mismatch for bias"):
        net.load_state_dict({"bias": np.ones(2)}, strict=False)


def test_dtype_casts_keep_parameter_identity():
    net = nn.Sequential(nn.Linear(2, 2))
    weight = net[0].weight
    assert net.double() is net and weight.dtype == np.float64 and net[0].weight is weight
    assert net.to("cpu") is net and weight.dtype == np.float64
    net.float()
    assert weight.dtype == np.float32
    clone = copy.deepcopy(net)
    assert isinstance(clone[0].weight, nn.Parameter) and clone[0].weight is not weight


def test_forward_missing_is_an_error():
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        nn.Module()(1)
