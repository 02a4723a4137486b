"""Public PyTorch tutorials and scripts, ported by changing their imports (tests/ports/).

Each file in tests/ports/ is the original script with its import block swapped for
tinygrad_edu's (between the ``# ---- import block ----`` markers); below that block its code
is unchanged, apart from what the comment at its top lists: data downloads replaced by
tensors of the same (per-sample) shape, iteration counts cut so it runs in seconds, the
tutorials' prose comment blocks and plotting cells left out. Each names its source file
and commit. This test runs every
port under tinygrad_edu and, when PyTorch is installed, runs the same text again with the
block turned back into PyTorch's imports (``tinygrad_edu`` -> ``torch``), then compares the
numbers the script computed.

To compare digits rather than behaviour, both runs draw the *same* random numbers: under
PyTorch, ``torch.randn``, ``rand``, ``randint``, ``randperm``, ``normal``, ``multinomial``,
``Tensor.uniform_`` / ``normal_`` (which nn.init uses) and ``torch.Generator`` are patched
to draw from tinygrad_edu's generator with tinygrad_edu's code, then converted to torch
tensors. Everything else runs on PyTorch's own code, so an op that computed something
different would show.
"""

from __future__ import annotations

import contextlib
import io
import random
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg

PORTS = Path(__file__).resolve().parent / "ports"
BLOCK = re.compile(r"# ---- import block ----\n(.*?)# ---- end of import block ----\n", re.S)
SEED = 1234


def source(name: str, framework: str) -> str:
    text = (PORTS / f"{name}.py").read_text()
    block = BLOCK.search(text)
    assert block, f"{name}.py has no import block markers"
    if framework == "torch":
        imports = block.group(1).replace("tinygrad_edu", "torch")
        text = text[: block.start(1)] + imports + text[block.end(1) :]
    return text


def share_randomness(monkeypatch: pytest.MonkeyPatch, torch: Any) -> None:
    """Make PyTorch's random functions draw tinygrad_edu's numbers (see the docstring)."""
    from tinygrad_edu import random as tg_random

    def to_torch(t: tg.Tensor, requires_grad: bool = False) -> Any:
        return torch.from_numpy(np.array(t.numpy())).requires_grad_(requires_grad)

    def np_dtype(dtype: Any) -> Any:
        return None if dtype is None else torch.empty(0, dtype=dtype).numpy().dtype

    def gen(generator: Any) -> Any:
        return generator if isinstance(generator, tg.Generator) else None

    def sampler(fn: Any) -> Any:
        def draw(*args: Any, generator=None, dtype=None, requires_grad=False, **kw: Any) -> Any:
            kw.pop("device", None), kw.pop("layout", None), kw.pop("pin_memory", None)
            out = fn(*args, generator=gen(generator), dtype=np_dtype(dtype), **kw)
            return to_torch(out, requires_grad)

        return draw

    def like(fn: Any) -> Any:
        return lambda t, dtype=None, **kw: sampler(fn)(t.shape, dtype=dtype or t.dtype)

    def uniform_(self: Any, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Any:
        with torch.no_grad():
            values = tg_random.rng(gen(generator)).uniform(a, b, tuple(self.shape))
            return self.copy_(torch.from_numpy(values))

    def normal_(self: Any, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Any:
        with torch.no_grad():
            values = tg_random.rng(gen(generator)).normal(mean, std, tuple(self.shape))
            return self.copy_(torch.from_numpy(values))

    def normal(mean: Any, std: Any = 1.0, size: Any = None, *, generator=None, **kw: Any) -> Any:
        m = tg.tensor(mean.numpy()) if isinstance(mean, torch.Tensor) else mean
        s = tg.tensor(std.numpy()) if isinstance(std, torch.Tensor) else std
        rg = kw.pop("requires_grad", False)
        kw.pop("device", None)
        out = tg.normal(m, s, None if size is None else tuple(size), generator=gen(generator),
                        dtype=np_dtype(kw.pop("dtype", None)))  # fmt: skip
        return to_torch(out, rg)

    def multinomial(input: Any, num_samples: int, replacement: bool = False, *, generator=None):
        picks = tg.multinomial(tg.tensor(input.detach().numpy()), num_samples, replacement,
                               generator=gen(generator))  # fmt: skip
        return to_torch(picks)

    def manual_seed(seed: int) -> Any:
        tg.manual_seed(seed)
        return real_manual_seed(seed)

    real_manual_seed = torch.manual_seed
    for name, fn in {
        "randn": sampler(tg.randn),
        "rand": sampler(tg.rand),
        "randint": sampler(tg.randint),
        "randperm": sampler(tg.randperm),
        "normal": normal,
        "multinomial": multinomial,
        "manual_seed": manual_seed,
        "Generator": tg.Generator,
        "rand_like": like(tg.rand),
        "randn_like": like(tg.randn),
    }.items():  # fmt: skip
        monkeypatch.setattr(torch, name, fn)
    monkeypatch.setattr(torch.Tensor, "uniform_", uniform_)
    monkeypatch.setattr(torch.Tensor, "normal_", normal_)
    # DataLoader(shuffle=True): one permutation per epoch, as tinygrad_edu's DataLoader draws
    monkeypatch.setattr(
        torch.utils.data.RandomSampler,
        "__iter__",
        lambda self: iter(tg_random.rng(None).permutation(len(self.data_source)).tolist()),
    )


def run(name: str, framework: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict:
    """Run a port; return its globals (after calling any test_* functions it defines)."""
    if framework == "torch":
        torch = pytest.importorskip("torch")
        share_randomness(monkeypatch, torch)
        monkeypatch.setattr(torch, "set_default_device", lambda device: None)  # (process-wide)
    tg.manual_seed(SEED)
    random.seed(SEED)
    np.random.seed(SEED)
    monkeypatch.chdir(tmp_path)  # (scripts that save a checkpoint write it here)
    monkeypatch.syspath_prepend(str(PORTS))  # (micrograd's engine, vendored for its tests)
    namespace: dict = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()) as out:
        exec(compile(source(name, framework), str(PORTS / f"{name}.py"), "exec"), namespace)
        for key, fn in list(namespace.items()):
            if key.startswith("test_") and callable(fn):
                namespace[key + "_result"] = fn()
    namespace["stdout"] = out.getvalue()
    return namespace


def numbers(value: Any) -> np.ndarray:
    """A value of either framework as float64 NumPy (tensors, numbers, lists, modules)."""
    if hasattr(value, "state_dict"):
        return np.concatenate([numbers(v).ravel() for v in value.state_dict().values()])
    if hasattr(value, "detach"):
        return np.asarray(value.detach().numpy(), dtype=np.float64)
    if isinstance(value, (list, tuple)):
        return np.asarray([numbers(v) for v in value], dtype=np.float64)
    return np.asarray(value, dtype=np.float64)


def same(names: str, rtol: float = 1e-4, atol: float = 1e-6) -> list[tuple[str, float, float]]:
    """Checks: each of the space-separated expressions (globals of the script, or
    expressions over them) must agree with PyTorch's run to rtol/atol."""
    return [(name, rtol, atol) for name in names.split()]


# name -> what to compare with PyTorch's run of the same text
PORT_CHECKS: dict[str, list[tuple[str, float, float]]] = {
    "polynomial_tensor": same("a b c d loss"),
    "polynomial_autograd": same("a b c d loss"),
    "polynomial_custom_function": same("a b c d loss"),
    "polynomial_nn": same("model loss xx"),
    "polynomial_optim": same("model loss"),
    "polynomial_module": same("model loss"),
    "dynamic_net": same("model loss"),
    "micrograd_test_engine": [],  # its own asserts compare micrograd with the framework
    "basics_tensors": same("x_data x_rand rand_tensor tensor t1 y1 y2 y3 z1 z2 z3 agg_item t n"),
    "basics_autograd": same("z loss w.grad b.grad inp.grad out"),
    "basics_buildmodel": same("model logits pred_probab y_pred hidden1 flat_image"),
    "quickstart": same("model pred predicted==actual"),
    "nn_tutorial": same("weights bias model valid_loss", 1e-3, 1e-5),
    "d2l_linear_regression_scratch": same("features labels w b train_l", 1e-3),
    "d2l_linear_regression_concise": same("features labels net l", 1e-3),
    # The first steps (lr 0.1 on saturated tanh units) amplify float32 rounding about 1.25x
    # a step, so after 1000 steps the weights differ by 0.1 (in float64 both agree to 1e-12
    # after 200 steps): compare the data, the first losses closely, the final (dev) loss to 15%.
    "makemore_mlp": same("Xtr Ytr Xdev lossi[:5]") + same("loss", 0.15, 0),
    "examples_regression": same("fc loss batch_idx", 1e-3, 1e-5),
}


def test_every_port_is_checked():
    on_disk = {p.stem for p in PORTS.glob("*.py")}
    assert on_disk == set(PORT_CHECKS), "add each port in tests/ports/ to PORT_CHECKS"
    assert len(on_disk) >= 12


@pytest.mark.parametrize("name", sorted(PORT_CHECKS))
def test_port(name, monkeypatch, tmp_path):
    """Run under tinygrad_edu; when PyTorch is installed, run it there too and compare."""
    ours = run(name, "tinygrad_edu", monkeypatch, tmp_path)
    for key, _, _ in PORT_CHECKS[name]:
        assert np.all(np.isfinite(numbers(eval(key, ours)))), f"{key} is not finite"
    try:
        import torch
    except ImportError:
        return  # (tinygrad_edu alone: the run above is the test)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # (small ops: threads only contend for the 2 cores)
    try:
        with monkeypatch.context() as m:
            theirs = run(name, "torch", m, tmp_path)
    finally:
        torch.set_num_threads(threads)
    for key, rtol, atol in PORT_CHECKS[name]:
        np.testing.assert_allclose(
            numbers(eval(key, ours)), numbers(eval(key, theirs)), rtol=rtol, atol=atol, err_msg=key
        )
