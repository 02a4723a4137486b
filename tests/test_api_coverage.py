"""docs/api_coverage.md is generated from the code (tools/api_coverage.py) and must be
current; what it calls supported is there, what it calls refused raises saying why."""

import importlib.util
import pathlib

import pytest

import tinygrad_edu as tg
from tinygrad_edu._refusals import NotSupportedError

ROOT = pathlib.Path(__file__).resolve().parent.parent


def load_tool():
    spec = importlib.util.spec_from_file_location(
        "api_coverage", ROOT / "tools" / "api_coverage.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_table_is_current():
    tool = load_tool()
    assert (ROOT / "docs" / "api_coverage.md").read_text() == tool.render(), (
        "docs/api_coverage.md is stale: run python tools/api_coverage.py"
    )


def test_classification_agrees_with_the_library():
    tool = load_tool()
    _, table = tool.classify()
    objects = tool.namespaces()
    for namespace, groups in table.items():
        # (an instance: refusals of Tensor attributes come from the instance's __getattr__)
        ours = tg.ones(2, 2) if namespace == "torch.Tensor" else objects[namespace]
        for name in groups["supported"]:
            getattr(ours, name)  # must not raise
        for name, _ in groups["refused"]:
            with pytest.raises(NotSupportedError, match="not supported"):
                getattr(ours, name)
        for name in groups["missing"]:
            assert not hasattr(ours, name)
    assert len(table["torch"]["supported"]) > 150  # a floor: regressions show up here


def test_tensor_refusals_are_the_rules_over_torch_tensor_names():
    """Tensor refuses by a descriptor per name (no __getattr__: it would slow every
    attribute read); the list must be exactly what the rules refuse."""
    import json

    from tinygrad_edu._refusals import TENSOR_REFUSED, refusal

    names = json.loads((ROOT / "tools" / "torch_names.json").read_text())["names"]
    expected = [n for n in names["torch.Tensor"] if refusal("torch.Tensor", n) is not None]
    assert sorted(TENSOR_REFUSED) == sorted(expected)
    assert "__getattr__" not in vars(tg.Tensor)


def test_refusals_are_clear_and_hasattr_is_false():
    assert not hasattr(tg, "sparse_coo_tensor") and not hasattr(tg.ones(1), "to_sparse")
    with pytest.raises(NotImplementedError, match="sparse tensors are not supported"):
        getattr(tg, "sparse_coo_tensor")  # noqa: B009
    with pytest.raises(NotImplementedError, match="complex numbers are not supported"):
        tg.ones(2).conj()
    with pytest.raises(NotImplementedError, match="TorchScript, export"):
        getattr(tg, "jit")  # noqa: B009
    with pytest.raises(AttributeError, match=r"api_coverage\.md"):
        getattr(tg, "no_such_function")  # noqa: B009
    with pytest.raises(AttributeError, match="no attribute 'no_such_method'"):
        getattr(tg.ones(1), "no_such_method")  # noqa: B009
