"""examples/derivations_tour.py runs, mentions every derivation, and its 'ok' lines agree
with the tape while its ERRATUM lines do not."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from tinygrad_edu import derivations as D

TOUR = Path(__file__).resolve().parents[1] / "examples" / "derivations_tour.py"


def run_tour(capsys) -> str:
    spec = importlib.util.spec_from_file_location("derivations_tour", TOUR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main()
    return capsys.readouterr().out


def test_tour_mentions_every_derivation_and_flags_the_errata(capsys):
    out = run_tour(capsys)
    missing = [name for name in D.__all__ if name not in out]
    assert not missing, f"the tour never mentions {missing}"
    blocks = re.findall(
        r"\[(ok     |ERRATUM)\] (.*)\n.*\n.*\n   max \|manual - tape\| = (\S+)", out
    )
    ok = [(name, float(diff)) for flag, name, diff in blocks if flag.strip() == "ok"]
    errata = [(name, float(diff)) for flag, name, diff in blocks if flag == "ERRATUM"]
    assert len(ok) >= 18 and len(errata) >= 8
    assert all(diff <= 1e-12 for _, diff in ok), ok
    assert all(not diff <= 1e-6 for _, diff in errata), errata  # nan counts as wrong
    names = " ".join(name for name, _ in errata)
    for erratum in (
        "source_softmax_mse_delta",
        "source_leaky_relu_derivative",
        "source_dense_grads",
        "source_mlp_backward",
        "SOURCE_PARAMETER_COUNT",
        "source_softmax (one global max)",
        "source_cross_entropy",
        "SOURCE_EPS",
    ):
        assert erratum in names
