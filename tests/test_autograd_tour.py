"""examples/autograd_tour.py runs in a few seconds and shows what it promises."""

from __future__ import annotations

import json
import re
import runpy
import sys
import time
from pathlib import Path

import numpy as np

TOUR = Path(__file__).resolve().parents[1] / "examples" / "autograd_tour.py"


def test_tour_runs_and_shows_each_step(capsys, monkeypatch):
    monkeypatch.setattr("sys.argv", [str(TOUR)])  # as run from the shell, with no options
    start = time.perf_counter()
    runpy.run_path(str(TOUR), run_name="__main__")
    elapsed = time.perf_counter() - start
    out = capsys.readouterr().out
    for expected in [
        "SumBackward\n    SigmoidBackward\n      MulBackward\n        AccumulateGrad",
        "digraph tape {",
        'n6 [label="x\\n(3,) float32\\ndata [1., 2., 3.]"',
        "hook on h = x*x sees dL/dh = tensor([3., 3., 3.])",
        "x.grad, clipped to [-5, 5]   = tensor([5., 5., 5.])",
        "gradgradcheck (second derivatives)       -> True",
        "f' = 3t^2 = 27,  f'' = 6t = 18",
        "gradcheck(Cube.apply, (c,))        -> True",
        "gradcheck says:\n  Jacobian mismatch for output 0 with respect to input 0",
        "Function 'SqrtBackward' returned inf values",
        "r = v.sqrt()",
        "J of tanh(W x + b), W 3x4, by forward mode (4 passes, one per input):",
        "'reverse-mode') does either: True",
        "symmetric: True",
    ]:
        assert expected in out, expected
    # forward and reverse Jacobians, and the Hessian against the derivation formula
    for label, bound in [
        ("reverse mode (1 forward + 3 backward passes, one per output) differs by ", 1e-12),
        ("; the formula diag(1 - y^2) W by ", 1e-12),
        ("gradient vs derivations.softmax_mse_delta:", 1e-15),
        ("Hessian vs central differences of that formula:", 1e-8),
        ("Hessian vs the closed form above:", 1e-15),
    ]:
        value = float(out.split(label, 1)[1].split()[0].rstrip(";"))
        assert value < bound, (label, value)
    assert elapsed < 20, f"the tour took {elapsed:.1f} s"


def test_tour_writes_the_graph_page_with_html(tmp_path, monkeypatch, capsys):
    page = tmp_path / "tour.html"
    monkeypatch.setattr(sys, "argv", ["autograd_tour.py", "--html", str(page)])
    runpy.run_path(str(TOUR), run_name="__main__")
    assert f"wrote {page}: open it in a browser" in capsys.readouterr().out
    data = json.loads(re.search(r"^const DATA = (.*);$", page.read_text(), re.M).group(1))
    steps = [data["vertices"][s["node"]]["op"] for s in data["steps"]]
    assert steps == ["SumBackward", "SigmoidBackward", "MulBackward"]
    grads = {v["label"][0]: v["grad"]["values"] for v in data["vertices"] if v["kind"] == "leaf"}
    s = 1 / (1 + np.exp(-np.array([0.5, -2.0, 6.0])))  # sigmoid(x * w)
    np.testing.assert_allclose(grads["x"], s * (1 - s) * [0.5, -1.0, 2.0], rtol=1e-4)
    np.testing.assert_allclose(grads["w"], s * (1 - s) * [1.0, 2.0, 3.0], rtol=1e-4)
