"""viz.to_html and viz.record_backward, checked without a browser: the page's data against
the engine (order, gradients, values), escaping, layouts, and what happens at the edges.
(tests/test_viz_browser.py opens the same pages in a real browser.)"""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.autograd import engine
from tinygrad_edu.viz import record_backward, to_html


def page_data(path) -> dict:
    """The DATA literal of a page written by to_html (JSON, plus NaN and Infinity)."""
    html = path.read_text(encoding="utf-8")
    found = re.search(r"^const DATA = (.*);$", html, re.M)
    assert found, "no DATA line in the page"
    return json.loads(found.group(1))


def by_label(data: dict, label: str) -> tuple[int, dict]:
    found = [(i, v) for i, v in enumerate(data["vertices"]) if v["label"][0] == label]
    assert len(found) == 1, (label, [v["label"][0] for v in data["vertices"]])
    return found[0]


def graph():
    """x is used twice (x * w and + x), c is a constant."""
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    w = tg.tensor([3.0, 4.0], requires_grad=True)
    x.name, w.name = "x", "w"
    c = tg.tensor([1.0, 1.0])
    y = (x * w + x + c).sum()
    return x, w, c, y


def test_the_page_is_one_file_that_needs_no_network(tmp_path):
    *_, y = graph()
    html = to_html(y, tmp_path / "g.html").read_text()
    assert "<script src" not in html and "<link" not in html and "@import" not in html
    urls = set(re.findall(r"https?://[^\s\"')]+", html))
    assert urls <= {"http://www.w3.org/2000/svg"}, urls  # the SVG namespace is a name only
    assert html.count("<script>") == 1 and html.count("</script>") == 1


def test_without_a_recording_it_runs_backward_itself_and_changes_nothing(tmp_path):
    x, w, _c, y = graph()
    data = page_data(to_html(y, tmp_path / "g.html"))
    assert x.grad is None and w.grad is None  # no .grad touched
    assert engine._recorder is None
    y.backward()  # the graph was kept
    for t, label in [(x, "x"), (w, "w")]:
        _, v = by_label(data, label)
        assert v["kind"] == "leaf"
        np.testing.assert_allclose(v["grad"]["values"], t.grad.numpy())
    _, const = by_label(data, "constant")
    assert const["kind"] == "const" and const["grad"] is None
    root = data["vertices"][0]
    assert root["op"] == "SumBackward" and root["value"]["values"] == 16.0
    assert root["grad"]["values"] == 1.0
    assert "dz/dx_i = 1 for every element that was summed" in root["doc"]
    assert data["title"] == "tinygrad_edu: the tape behind SumBackward" and data["note"] == ""


def test_steps_are_the_engines_order_and_a_leaf_used_twice_sums_two_contributions(tmp_path):
    x, _w, _c, y = graph()
    expected = [n.name() for n in engine._topological_order([y.grad_fn])]
    with record_backward() as tape:
        y.backward()
    data = page_data(to_html(y, tmp_path / "g.html", recording=tape))
    names = [data["vertices"][s["node"]]["op"] for s in data["steps"]]
    assert names == expected == ["SumBackward", "AddBackward", "AddBackward", "MulBackward"]
    ix, vx = by_label(data, "x")
    arrivals = [(k, s) for k, st in enumerate(data["steps"]) for s in st["sends"] if s["to"] == ix]
    assert [k for k, _ in arrivals] == [2, 3]  # from the first AddBackward, then MulBackward
    assert [s["grad"]["values"] for _, s in arrivals] == [[1.0, 1.0], [3.0, 4.0]]
    assert [s["total"]["values"] for _, s in arrivals] == [[1.0, 1.0], [4.0, 5.0]]
    np.testing.assert_allclose(vx["grad"]["values"], x.grad.numpy())
    # every op's total is what the engine handed to its backward: dL/d(its output)
    mul = data["steps"][3]
    assert mul["grad"]["values"] == [1.0, 1.0]
    assert {data["vertices"][s["to"]]["label"][0] for s in mul["sends"]} == {"x", "w"}


def test_a_recording_keeps_the_graph_that_backward_freed(tmp_path):
    _x, _w, _c, y = graph()
    with record_backward() as tape:
        y.backward()
    data = page_data(to_html(y, tmp_path / "rec.html", recording=tape))
    assert len(data["vertices"]) == 7 and len(data["edges"]) == 7
    assert not any(v["freed"] for v in data["vertices"])
    # without the recording only the freed root is left, and the page says why
    data = page_data(to_html(y, tmp_path / "freed.html"))
    assert [v["label"] for v in data["vertices"]] == [
        ["SumBackward", "() float32", "data 16.", "(freed)"]
    ]
    assert "freed" in data["note"] and "record_backward" in data["note"]
    assert data["steps"] == []


def test_recording_costs_nothing_outside_the_block_and_is_restored_after_errors(tmp_path):
    assert engine._recorder is None
    x = tg.tensor([1.0, 0.0], requires_grad=True)
    with pytest.raises(ZeroDivisionError), record_backward() as tape:
        assert engine._recorder is tape
        raise ZeroDivisionError
    assert engine._recorder is None
    (x * 2).sum().backward()  # not recorded
    assert tape.steps == []


def test_a_second_backward_through_a_freed_graph_still_raises_while_recording():
    x = tg.tensor([1.0], requires_grad=True)
    y = (x * 3).sum()
    y.backward()
    with record_backward(), pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_large_tensors_are_summarised_with_a_histogram(tmp_path):
    a = tg.tensor(np.linspace(-1, 1, 1000, dtype=np.float32).reshape(10, 100))
    a.requires_grad_(True)
    a.name = "a"
    y = (a * a).sum()
    data = page_data(to_html(y, tmp_path / "big.html", max_values=64))
    _, va = by_label(data, "a")
    value = va["value"]
    assert "values" not in value and value["shape"] == [10, 100]
    assert value["min"] == -1.0 and value["max"] == 1.0 and abs(value["mean"]) < 1e-6
    assert sum(value["hist"]) == 1000 and len(value["hist"]) == 20
    assert va["grad"]["min"] == pytest.approx(-2.0) and va["grad"]["max"] == pytest.approx(2.0)
    assert va["label"] == ["a", "(10, 100) float32"]  # no values in the box
    # NaN and inf are counted, not averaged in; the page still parses
    b = tg.tensor([np.nan, np.inf, 1.0, 3.0] * 50, requires_grad=True)
    data = page_data(to_html((b * 1.0).sum(), tmp_path / "nan.html"))
    leaf = next(v for v in data["vertices"] if v["kind"] == "leaf")
    assert leaf["value"]["nonfinite"] == 100 and leaf["value"]["mean"] == 2.0
    small = tg.tensor([np.nan, -np.inf], requires_grad=True)
    data = page_data(to_html((small * 2).sum(), tmp_path / "small.html"))
    root = data["vertices"][0]
    assert np.isnan(root["value"]["values"])


def test_names_with_html_special_characters_cannot_break_out(tmp_path):
    x = tg.tensor([1.0], requires_grad=True)
    evil = "</script><script>window.pwned = 1</script><b>&amp;\"'"
    x.name = evil
    path = to_html((x * 2).sum(), tmp_path / "evil.html", title=evil)
    html = path.read_text()
    assert html.count("</script>") == 1 and "<b>" not in html
    assert "<title>&lt;/script&gt;&lt;script&gt;window.pwned" in html
    data = page_data(path)
    assert data["title"] == evil
    assert by_label(data, evil)[1]["name"] == evil


def test_edge_cases_say_what_they_show(tmp_path):
    leaf = tg.tensor([1.0, 2.0])
    data = page_data(to_html(leaf, tmp_path / "leaf.html"))
    assert [v["kind"] for v in data["vertices"]] == ["const"] and data["edges"] == []
    assert "no op" in data["note"]
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    data = page_data(to_html(y, tmp_path / "vec.html"))
    assert "not a scalar" in data["note"] and data["steps"] == []
    data = page_data(to_html(y, tmp_path / "vec2.html", gradient=tg.tensor([1.0, 10.0])))
    assert by_label(data, "leaf")[1]["grad"]["values"] == [3.0, 30.0]
    with record_backward() as tape:
        pass
    assert "holds no backward" in page_data(to_html(y, tmp_path / "e.html", recording=tape))["note"]
    with pytest.raises(TypeError, match="to_html expects a Tensor, got ndarray"):
        to_html(np.ones(2), tmp_path / "x.html")
    with pytest.raises(ValueError, match="layout must be 'auto', 'dot' or 'builtin'"):
        to_html(y, tmp_path / "x.html", layout="neato")


def test_custom_function_without_docstring_and_non_tensor_arguments(tmp_path):
    class Scale(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.k = k
            return x.detach().numpy() * k

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, None

    x = tg.tensor([1.0, 2.0], requires_grad=True)
    data = page_data(to_html(Scale.apply(x, 3.0).sum(), tmp_path / "s.html"))
    _, v = by_label(data, "ScaleBackward")
    assert v["doc"] == "(no docstring)" and len(v["inputs"]) == 1


def check_top_to_bottom(data: dict) -> None:
    v = data["vertices"]
    for e in data["edges"]:
        a, b = v[e["from"]], v[e["to"]]
        assert a["y"] + a["h"] / 2 <= b["y"] - b["h"] / 2, (a["label"], b["label"])
    for i, a in enumerate(v):  # no two boxes overlap
        assert a["x"] - a["w"] / 2 >= -1 and a["x"] + a["w"] / 2 <= data["width"] + 1
        for b in v[i + 1 :]:
            apart_x = abs(a["x"] - b["x"]) >= (a["w"] + b["w"]) / 2 - 1e-6
            apart_y = abs(a["y"] - b["y"]) >= (a["h"] + b["h"]) / 2 - 1e-6
            assert apart_x or apart_y, (a["label"], b["label"])


def mlp_loss():
    tg.manual_seed(0)
    model = tg.nn.Sequential(tg.nn.Linear(4, 3), tg.nn.ReLU(), tg.nn.Linear(3, 2))
    x = tg.randn(5, 4)
    return tg.nn.functional.cross_entropy(model(x), tg.tensor([0, 1, 1, 0, 1]))


def test_builtin_layout_runs_top_to_bottom_without_overlaps(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)  # as if Graphviz were missing
    data = page_data(to_html(mlp_loss(), tmp_path / "b.html"))
    assert data["layout"] == "builtin"
    check_top_to_bottom(data)
    assert all(e["path"].startswith("M") for e in data["edges"])


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_dot_layout_runs_top_to_bottom_without_overlaps(tmp_path):
    data = page_data(to_html(mlp_loss(), tmp_path / "d.html"))
    assert data["layout"] == "dot"
    check_top_to_bottom(data)


def test_a_deep_graph_is_laid_out_without_recursion(tmp_path):
    x = tg.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(2000):
        y = y * 1.0
    data = page_data(to_html(y, tmp_path / "deep.html", layout="builtin"))
    assert len(data["vertices"]) == 2 * 2000 + 1 and len(data["steps"]) == 2000
    assert by_label(data, "leaf")[1]["grad"]["values"] == 1.0


def test_two_recorded_backwards_accumulate_at_the_leaves_like_grad(tmp_path):
    x, _w, _c, y = graph()
    with record_backward() as tape:
        y.backward(retain_graph=True)
        y.backward()
    data = page_data(to_html(y, tmp_path / "twice.html", recording=tape))
    assert len(data["steps"]) == 8 and len(data["vertices"]) == 7  # one graph, run twice
    np.testing.assert_allclose(by_label(data, "x")[1]["grad"]["values"], x.grad.numpy())
    np.testing.assert_allclose(x.grad.numpy(), [8.0, 10.0])


def test_a_create_graph_backward_is_recorded_too(tmp_path):
    t = tg.tensor(3.0, dtype=tg.float64, requires_grad=True)
    f = t**3
    with record_backward() as tape:
        (df,) = tg.autograd.grad(f, t, create_graph=True)
    data = page_data(to_html(f, tmp_path / "cg.html", recording=tape))
    assert by_label(data, "leaf")[1]["grad"]["values"] == 27.0 == df.item()
    page = to_html(df, tmp_path / "df.html")  # the gradient's own graph, backwarded again
    assert by_label(page_data(page), "leaf")[1]["grad"]["values"] == 18.0
