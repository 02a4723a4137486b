"""The examples' command lines: a mistake is one line on stderr naming the option and the fix,
exit status 2 for a usage error and 1 for missing data; never a traceback (issue 17)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SCRIPTS = ["mnist_mlp", "xor_optimizers", "linear_regression", "credit_approval",
           "iris_adam_vs_gd", "mnist_cnn"]  # fmt: skip


def load_example(name: str):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_script(name: str, *args: str, env: dict[str, str] | None = None):
    """Run examples/<name>.py as a user would, from a scratch directory."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, str(EXAMPLES / f"{name}.py"), *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def assert_one_line(stderr: str, *words: str) -> None:
    assert "Traceback" not in stderr, stderr
    assert stderr.count("\n") == 1 and stderr.endswith("\n"), stderr
    for word in words:
        assert word in stderr, (word, stderr)


USAGE_ERRORS = [
    ("mnist_mlp", ["--batch-size", "0"], "--batch-size", "at least 1"),
    ("mnist_mlp", ["--lr", "-1"], "--lr", "positive number"),
    ("mnist_mlp", ["--lr", "nan"], "--lr", "positive number"),
    ("mnist_mlp", ["--epochs", "0"], "--epochs", "at least 1"),
    ("mnist_mlp", ["--epochs", "-1"], "--epochs", "at least 1"),
    ("mnist_mlp", ["--train-limit", "0"], "--train-limit", "at least 1"),
    ("mnist_mlp", ["--epochs", "two"], "--epochs", "whole number"),
    ("mnist_mlp", ["--loss", "l2"], "--loss", "choose from"),
    ("xor_optimizers", ["--epochs", "0"], "--epochs", "at least 1"),
    ("xor_optimizers", ["--ravine-steps", "-5"], "--ravine-steps", "at least 1"),
    ("linear_regression", ["--compare-epochs", "0"], "--compare-epochs", "at least 1"),
    ("credit_approval", ["--exercise-epochs", "0"], "--exercise-epochs", "at least 1"),
    ("iris_adam_vs_gd", ["--delta", "-0.1"], "--delta", "positive number"),
    ("iris_adam_vs_gd", ["--max-epochs", "0"], "--max-epochs", "at least 1"),
]


@pytest.mark.parametrize(("name", "args", "option", "fix"), USAGE_ERRORS)
def test_a_bad_option_is_one_line_and_exit_status_2(name, args, option, fix, tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        load_example(name).main([*args, "--out", str(tmp_path)])
    assert info.value.code == 2
    assert_one_line(capsys.readouterr().err, option, fix, "--help")


@pytest.mark.parametrize("name", SCRIPTS)
def test_an_out_directory_that_cannot_be_made_names_out(name, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(SystemExit) as info:
        load_example(name).main(["--out", str(blocker / "sub")])
    assert info.value.code == 2
    assert_one_line(capsys.readouterr().err, "--out", str(blocker / "sub"))


def test_missing_data_names_the_data_option_and_exits_1(tmp_path):
    result = run_script("mnist_mlp", "--data", str(tmp_path / "none"), "--out", str(tmp_path))
    assert result.returncode == 1
    assert_one_line(result.stderr, "mnist_mlp.py: error:", f"--data {tmp_path / 'none'}")
    assert "root=" not in result.stderr and result.stdout == ""
    assert not (tmp_path / "mnist_mlp.npz").exists()


def test_missing_default_data_names_the_option_and_the_variable(tmp_path, monkeypatch, capsys):
    # No --data: the default directory is searched, and nothing is downloaded in a test.
    example = load_example("mnist_mlp")
    monkeypatch.setenv("TINYGRAD_EDU_DATA", str(tmp_path / "empty"))

    def offline(url, timeout):
        raise OSError("no network")

    monkeypatch.setattr("tinygrad_edu.datasets.mnist.urlopen", offline)
    with pytest.raises(SystemExit) as info:
        example.main(["--out", str(tmp_path)])
    assert info.value.code == 1
    assert_one_line(
        capsys.readouterr().err,
        f"no MNIST files in {tmp_path / 'empty'} ($TINYGRAD_EDU_DATA)",
        "downloading them failed (",
        ": no network)",
        "--data DIR",
    )
    assert not (tmp_path / "empty").exists()  # nothing half-downloaded


def test_a_usage_error_from_the_shell_is_one_line(tmp_path):
    result = run_script("mnist_mlp", "--batch-size", "0", "--out", str(tmp_path))
    assert result.returncode == 2
    assert_one_line(result.stderr, "mnist_mlp.py: error: argument --batch-size: must be at least 1")


@pytest.mark.parametrize("tour", ["autograd_tour", "derivations_tour"])
def test_the_tours_answer_help_and_refuse_options(tour):
    result = run_script(tour, "--help")
    assert result.returncode == 0 and result.stdout.startswith(f"usage: {tour}.py [-h]")
    result = run_script(tour, "--epochs", "3")
    assert result.returncode == 2 and result.stdout == ""
    assert_one_line(result.stderr, "unrecognized arguments: --epochs 3")


def test_mnist_trains_with_one_blas_thread_even_after_numpy_is_imported(monkeypatch):
    # Under pytest NumPy is imported long before the example, so an environment variable
    # set by the script would come too late; threadpoolctl sets the limit at run time.
    threadpoolctl = pytest.importorskip("threadpoolctl")
    example = load_example("mnist_mlp")
    seen = []

    def record(args):
        info = threadpoolctl.threadpool_info()
        seen.extend(pool["num_threads"] for pool in info if pool["user_api"] == "blas")

    monkeypatch.setattr(example, "_train", record)
    example.train(None)
    if not seen:
        pytest.skip("threadpoolctl finds no BLAS library in this NumPy")
    assert set(seen) == {1}
