"""examples/mnist_mlp.py --graph FILE: the explorer page of one training step of the
784-128-40-10 network (a real, recorded backward of that step)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as tg

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("TINYGRAD_EDU_DATA") or ROOT.parent / "shared" / "data" / "mnist")


def load_example():
    spec = importlib.util.spec_from_file_location("mnist_mlp", ROOT / "examples" / "mnist_mlp.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def page_data(path: Path) -> dict:
    return json.loads(re.search(r"^const DATA = (.*);$", path.read_text(), re.M).group(1))


def check_step_page(data: dict, model) -> None:
    ops = [data["vertices"][s["node"]]["op"] for s in data["steps"]]
    assert ops.count("LinearBackward") == 3 and ops.count("ReluBackward") == 2
    leaves = {v["name"]: v for v in data["vertices"] if v["kind"] == "leaf"}
    params = dict(model.named_parameters())
    assert sorted(leaves) == sorted(params)  # 0.weight, 0.bias, 2.weight, ... all named
    for name, p in params.items():
        shown = leaves[name]["grad"]
        assert shown["shape"] == list(p.shape)
        g = p.grad.numpy()
        if "values" in shown:
            np.testing.assert_allclose(shown["values"], g, rtol=1e-5, atol=1e-8)
        else:  # 784x128 and the like: summarised
            assert shown["min"] == pytest.approx(g.min(), rel=1e-5, abs=1e-9)
            assert shown["max"] == pytest.approx(g.max(), rel=1e-5, abs=1e-9)
            assert shown["mean"] == pytest.approx(g.mean(dtype=np.float64), rel=1e-4, abs=1e-9)
            assert sum(shown["hist"]) == g.size


def test_the_graph_of_one_training_step_without_the_data(tmp_path):
    example = load_example()
    tg.manual_seed(0)
    model = example.build_model()
    for name, p in model.named_parameters():
        p.name = name
    x = tg.randn(128, 784)
    labels = np.arange(128) % 10
    onehot = tg.from_numpy(np.eye(10, dtype=np.float32)[labels])
    logits = model(x)
    loss = example.loss_fn(logits, tg.from_numpy(labels), onehot, "mse")
    example.backward_with_graph(loss, tmp_path / "step.html")
    data = page_data(tmp_path / "step.html")
    check_step_page(data, model)
    assert data["title"] == "one training step of the 784-128-40-10 network"
    root = data["vertices"][0]
    assert root["op"] == "MSELossBackward" and root["value"]["shape"] == []


@pytest.mark.skipif(
    not (DATA / "train-images-idx3-ubyte.gz").exists()
    and not (DATA / "train-images-idx3-ubyte").exists(),
    reason=f"MNIST files not found in {DATA}",
)
def test_mnist_mlp_graph_flag_writes_the_first_step(tmp_path, capsys):
    example = load_example()
    page = tmp_path / "mnist_step.html"
    args = ["--epochs", "1", "--train-limit", "256", "--data", str(DATA), "--out", str(tmp_path)]
    example.main([*args, "--graph", str(page)])
    assert f"wrote the graph of one training step to {page}" in capsys.readouterr().out
    data = page_data(page)
    ops = [data["vertices"][s["node"]]["op"] for s in data["steps"]]
    assert ops.count("LinearBackward") == 3
    names = {v["name"] for v in data["vertices"] if v["kind"] == "leaf"}
    assert names == {"0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"}
    images = next(v for v in data["vertices"] if v["name"] == "images")
    assert images["kind"] == "const" and images["value"]["shape"] == [128, 784]
    assert "hist" in images["value"]  # one batch of images, summarised
