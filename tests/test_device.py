"""The device API: the CPU is the only device; accelerators are refused with a clear error."""

import pickle

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn as nn

FACTORIES = [
    lambda d: tg.tensor([1.0, 2.0], device=d),
    lambda d: tg.zeros(2, 3, device=d),
    lambda d: tg.ones(2, device=d),
    lambda d: tg.empty(2, device=d),
    lambda d: tg.full((2,), 3.0, device=d),
    lambda d: tg.arange(4, device=d),
    lambda d: tg.linspace(0, 1, 5, device=d),
    lambda d: tg.rand(2, device=d),
    lambda d: tg.randn(2, device=d),
    lambda d: tg.randint(0, 5, (3,), device=d),
    lambda d: tg.randperm(4, device=d),
    lambda d: tg.eye(3, device=d),
    lambda d: tg.zeros_like(tg.ones(2), device=d),
    lambda d: tg.ones_like(tg.ones(2), device=d),
    lambda d: tg.full_like(tg.ones(2), 7.0, device=d),
    lambda d: tg.empty_like(tg.ones(2), device=d),
    lambda d: tg.rand_like(tg.ones(2), device=d),
    lambda d: tg.randn_like(tg.ones(2), device=d),
]


def test_device_object_semantics_match_torch():
    d = tg.device("cpu:0")
    assert (d.type, d.index) == ("cpu", 0)
    assert repr(d) == "device(type='cpu', index=0)" and str(d) == "cpu:0"
    assert repr(tg.device("cpu")) == "device(type='cpu')" and str(tg.device("cpu")) == "cpu"
    assert tg.device("cpu", 0) == d and hash(tg.device("cpu", 0)) == hash(d)
    assert tg.device("cpu") != d  # as in PyTorch: no index is not index 0
    assert tg.device("cpu") != "cpu"  # a device never equals a string in PyTorch
    assert tg.device(d) == d
    assert pickle.loads(pickle.dumps(d)) == d
    assert repr(tg.device("cuda", 1)) == "device(type='cuda', index=1)"  # a name only
    with pytest.raises(RuntimeError, match="device type at start of device string: foo"):
        tg.device("foo")


@pytest.mark.parametrize("make", FACTORIES)
@pytest.mark.parametrize("where", [None, "cpu", "cpu:0", tg.device("cpu")])
def test_every_factory_accepts_cpu(make, where):
    assert make(where).device == tg.device("cpu")


@pytest.mark.parametrize("make", FACTORIES)
@pytest.mark.parametrize("where", ["cuda", "cuda:0", "mps", tg.device("cuda")])
def test_every_factory_refuses_accelerators(make, where):
    with pytest.raises(AssertionError, match="no accelerator is available"):
        make(where)


def test_rand_refuses_before_drawing():
    tg.manual_seed(0)
    with pytest.raises(AssertionError):
        tg.rand(3, device="cuda")
    a = tg.rand(3)
    tg.manual_seed(0)
    assert np.array_equal(tg.rand(3).numpy(), a.numpy())


def test_to_cpu_cuda_and_dtype():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    assert x.to("cpu") is x and x.cpu() is x and x.to(tg.device("cpu")) is x
    y = x.to("cpu", tg.float64)
    assert y.dtype == tg.float64 and y.grad_fn is not None
    assert x.to(device="cpu", dtype=tg.float64).dtype == tg.float64
    assert x.to(tg.ones(1, dtype=tg.float64)).dtype == tg.float64  # to(other)
    for bad in (lambda: x.cuda(), lambda: x.to("cuda"), lambda: x.to("mps"), lambda: x.to(0)):
        with pytest.raises(AssertionError, match="CPU only"):
            bad()


def test_module_to_device():
    m = nn.Linear(2, 3, device="cpu")
    assert m.to(tg.device("cpu")) is m and m.cpu() is m
    with pytest.raises(AssertionError):
        m.to("cuda")
    with pytest.raises(AssertionError):
        m.cuda()
    with pytest.raises(AssertionError):
        nn.Linear(2, 3, device="cuda")


def test_accelerator_queries():
    assert tg.cuda.is_available() is False and tg.cuda.device_count() == 0
    tg.cuda.manual_seed(0)  # a no-op, as in PyTorch without a GPU
    with pytest.raises(AssertionError, match="no accelerator"):
        tg.cuda.current_device()
    assert tg.accelerator.is_available() is False
    assert tg.accelerator.current_accelerator() is None
    assert tg.backends.mps.is_available() is False
    import tinygrad_edu.cuda as tcuda  # importable like torch.cuda

    assert tcuda is tg.cuda


def test_default_device():
    assert tg.get_default_device() == tg.device("cpu")
    tg.set_default_device("cpu")
    tg.set_default_device(None)
    with pytest.raises(AssertionError, match="no accelerator"):
        tg.set_default_device("cuda")
    assert tg.get_default_device() == tg.device("cpu")


def test_the_common_idiom():
    device = tg.device("cuda" if tg.cuda.is_available() else "cpu")
    assert tg.zeros(2, device=device).to(device).device == device


def test_matches_torch():
    torch = pytest.importorskip("torch")
    for s in ("cpu", "cpu:0", "cuda:1"):
        assert repr(tg.device(s)) == repr(torch.device(s))
        assert str(tg.device(s)) == str(torch.device(s))
    assert repr(tg.get_default_device()) == repr(torch.get_default_device())
    assert tg.cuda.is_available() == torch.cuda.is_available()
