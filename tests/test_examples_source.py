"""The examples that reproduce the source material run and show what the source reports.

Each example runs with reduced epochs where its claim survives them (full length where it
is fast) and writes its figures into ``tmp_path``; without matplotlib the examples skip the
plots and the tests still check the numbers.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

try:
    import matplotlib  # noqa: F401

    HAVE_MATPLOTLIB = True
except ImportError:
    HAVE_MATPLOTLIB = False


def load_example(name: str):
    """Import examples/<name>.py by its path (examples/ is not a package)."""
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_figures(out: Path, *names: str) -> None:
    if HAVE_MATPLOTLIB:
        for name in names:
            assert (out / name).stat().st_size > 10_000, name


def test_xor_adam_ends_lowest_and_all_three_reach_100_percent(tmp_path):
    result = load_example("xor_optimizers").main(["--out", str(tmp_path)])  # full 3,000
    for name in ("SGD", "Momentum", "Adam"):
        assert result[name]["accuracy"] == 1.0, name
    assert result["Adam"]["loss"] < result["Momentum"]["loss"] / 10
    assert result["Adam"]["loss"] < result["SGD"]["loss"] / 10
    assert result["Adam"]["loss"] < 1e-3
    assert result["Adam"]["below_0.05_at"] <= 200  # "below 0.05 by epoch 200"
    # Momentum at lr 0.01 moves like SGD at lr 0.1 (see the example's docstring).
    assert result["Momentum"]["loss"] == pytest.approx(result["SGD"]["loss"], rel=0.05)
    # On the ravine every optimizer ends near the minimum at (0, 0).
    for end in result["ravine_end"].values():
        assert np.hypot(*end) < 0.5
    assert_figures(tmp_path, "xor_losses.png", "xor_ravine.png")


def test_linear_regression_approaches_the_least_squares_fit(tmp_path):
    result = load_example("linear_regression").main(["--out", str(tmp_path)])
    w_ls, b_ls = result["polyfit"]
    assert (w_ls, b_ls) == pytest.approx((2.8840, 2.1289), abs=1e-4)
    snapshots = result["snapshots"]
    assert list(snapshots) == [0, 1, 2, 5, 10, 50, 100, 200]
    losses = [loss for _, _, loss in snapshots.values()]
    assert losses == sorted(losses, reverse=True)  # GD at lr 0.01 decreases the loss
    assert snapshots[0][:2] == (0.1, 0.5)
    final = result["final"]
    for name, r in final.items():
        assert r["distance"] < result["start_distance"] / 5, name
    for name in ("SGD", "Momentum", "Adam"):
        assert final[name]["distance"] < 0.1, name
    assert final["Adam"]["distance"] < 0.02
    assert_figures(tmp_path, "linear_regression_gd.png", "linear_regression_optimizers.png")


def test_credit_approval_is_a_coin_toss_and_shows_adam_state(tmp_path):
    result = load_example("credit_approval").main(
        ["--epochs", "3", "--exercise-epochs", "1", "--out", str(tmp_path)]
    )
    assert 0.45 < result["test_acc"] < 0.55
    assert result["exp_avg"].shape == result["exp_avg_sq"].shape == (2,)
    assert np.all(result["exp_avg_sq"] > 0)
    correction = result["bias_correction"]
    assert correction["m_hat_error"] < 1e-6  # m / (1 - 0.9) is the first gradient
    assert correction["v_hat_error"] < 1e-4  # v / (1 - 0.999) is its square
    assert correction["step_over_lr"] == pytest.approx(1.0, abs=1e-3)  # first step ~ lr
    exercises = result["exercises"]
    assert len(exercises) == 6
    for name, r in exercises.items():
        assert 0.4 < r["test_acc"] < 0.6, name
    assert_figures(tmp_path, "credit_approval_exercises.png")


def test_iris_adam_reaches_the_optimum_far_sooner_than_gradient_descent(tmp_path):
    # GD needs about 19,000 epochs; 3,000 are enough to show it has not arrived by then.
    result = load_example("iris_adam_vs_gd").main(
        ["--reference-epochs", "1500", "--max-epochs", "3000", "--out", str(tmp_path)]
    )
    assert 0.06 < result["optimum"] < 0.08
    assert 150 < result["adam_epochs"] < 400
    assert result["gd_epochs"] is None  # not within 3,000 epochs: over 10x Adam's count
    assert result["test_acc"]["Adam"] >= 0.9
    assert_figures(tmp_path, "iris_adam_vs_gd.png")
