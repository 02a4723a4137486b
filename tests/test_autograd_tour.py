"""examples/autograd_tour.py runs in a few seconds and shows what it promises."""

from __future__ import annotations

import runpy
import time
from pathlib import Path

TOUR = Path(__file__).resolve().parents[1] / "examples" / "autograd_tour.py"


def test_tour_runs_and_shows_each_step(capsys):
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
