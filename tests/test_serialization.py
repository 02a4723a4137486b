"""save / load: structure, dtypes, atomic writes, no pickle, clear errors."""

import json
import os
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
from tinygrad_edu import Tensor
from tinygrad_edu.serialization import load, save


def test_nested_structure_round_trip(tmp_path):
    obj = {
        "model": OrderedDict(w=Tensor(np.arange(6, dtype=np.float64).reshape(2, 3))),
        "steps": Tensor(np.array([1, 2], dtype=np.int64)),
        "mask": Tensor(np.array([True, False])),
        "grad": Tensor(np.ones(2, dtype=np.float32), requires_grad=True),
        "raw": np.array([1.5], dtype=np.float32),
        "scalar": np.float32(2.5),
        "state": {0: {"lr": 0.1, "betas": (0.9, 0.99)}},
        "names": ["a", None, True, 3, float("inf"), float("nan")],
    }
    save(obj, tmp_path / "ck.pt")
    back = load(str(tmp_path / "ck.pt"))
    assert isinstance(back["model"], OrderedDict)
    w = back["model"]["w"]
    assert isinstance(w, Tensor) and w.dtype == np.float64 and w.shape == (2, 3)
    np.testing.assert_array_equal(w._data, obj["model"]["w"]._data)
    assert back["steps"].dtype == np.int64 and back["mask"].dtype == np.bool_
    assert back["grad"].requires_grad and back["grad"].dtype == np.float32
    assert isinstance(back["raw"], np.ndarray) and back["scalar"] == np.float32(2.5)
    assert back["state"] == {0: {"lr": 0.1, "betas": (0.9, 0.99)}}
    assert back["names"][:5] == ["a", None, True, 3, float("inf")]
    assert np.isnan(back["names"][5])


def test_file_is_a_plain_npz_with_a_json_index_and_keeps_its_name(tmp_path):
    path = tmp_path / "model.pt"
    save(nn.Linear(3, 2).state_dict(), path)
    assert os.listdir(tmp_path) == ["model.pt"]  # no .npz appended, no temp file left
    with np.load(path, allow_pickle=False) as f:
        index = json.loads(str(f["__index__"]))
        assert [item["key"] for item in index["root"]["items"]] == ["weight", "bias"]
        assert f[index["root"]["items"][0]["value"]["array"]].shape == (2, 3)


def test_optimizer_state_round_trip(tmp_path):
    model = nn.Linear(2, 1)
    opt = tg.optim.Adam(model.parameters(), lr=0.01)
    model(tg.randn(4, 2)).sum().backward()
    opt.step()
    save({"model": model.state_dict(), "optimizer": opt.state_dict()}, tmp_path / "ck")
    ck = load(tmp_path / "ck")
    fresh = tg.optim.Adam(nn.Linear(2, 1).parameters(), lr=0.5)
    fresh.load_state_dict(ck["optimizer"])
    assert fresh.param_groups[0]["lr"] == 0.01
    np.testing.assert_array_equal(
        fresh.state_dict()["state"][0]["exp_avg"]._data,
        opt.state_dict()["state"][0]["exp_avg"]._data,
    )


def test_atomic_write_keeps_the_old_file_when_saving_fails(tmp_path):
    path = tmp_path / "ck.pt"
    save({"a": 1}, path)
    with pytest.raises(TypeError, match="cannot store an object of type Linear"):
        save({"a": 2, "model": nn.Linear(1, 1)}, path)
    assert load(path) == {"a": 1} and os.listdir(tmp_path) == ["ck.pt"]


def test_truncated_and_foreign_files_raise_naming_the_path(tmp_path):
    good = tmp_path / "good.pt"
    save({"w": Tensor(np.ones(100))}, good)
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(good.read_bytes()[:200])
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, x=np.ones(2))
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    for path in (truncated, foreign, text):
        with pytest.raises(RuntimeError, match=str(path).replace(".", r"\.")):
            load(path)
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing.pt")


def test_pickled_arrays_are_never_loaded(tmp_path):
    path = tmp_path / "evil.pt"
    index = json.dumps({"format": "tinygrad_edu.checkpoint", "version": 1,
                        "root": {"type": "ndarray", "array": "arr_0"}})  # fmt: skip
    with zipfile.ZipFile(path, "w") as z:
        with z.open("__index__.npy", "w") as f:
            np.lib.format.write_array(f, np.array(index))
        with z.open("arr_0.npy", "w") as f:
            np.lib.format.write_array(f, np.array([object()], dtype=object), allow_pickle=True)
    with pytest.raises(RuntimeError, match=r"evil\.pt"):
        load(path)


def test_unsupported_values_are_refused():
    with pytest.raises(TypeError, match=r"dict keys must be str or int"):
        save({(1, 2): 3}, "unused.pt")
    with pytest.raises(TypeError, match=r"dtype object at obj\['x'\]"):
        save({"x": np.array([None])}, "unused.pt")
