"""Tests for tinygrad_edu.datasets. They never touch the network: every test runs with
``urlopen`` replaced, either by a fake that serves local bytes or by one that fails."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import re
import struct
from pathlib import Path
from urllib.error import URLError

import numpy as np
import pytest

from tinygrad_edu.datasets import (
    MNIST,
    credit_approval,
    iris,
    linear_regression,
    load_mnist,
    read_mnist,
    xor,
)
from tinygrad_edu.datasets import mnist as mnist_module

REAL_ROOT = Path(
    os.environ.get("TINYGRAD_EDU_DATA", Path(__file__).resolve().parents[2] / "shared/data/mnist")
)
HAVE_REAL = all(
    (REAL_ROOT / f"{name}.gz").is_file() or (REAL_ROOT / name).is_file()
    for name in mnist_module.MD5
)
needs_real = pytest.mark.skipif(not HAVE_REAL, reason=f"MNIST files not found in {REAL_ROOT}")

TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
TRAIN_IMAGES, TRAIN_LABELS = mnist_module.FILES[True]
TEST_IMAGES, TEST_LABELS = mnist_module.FILES[False]


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Make any download attempt fail loudly unless a test installs its own fake."""

    def refuse(url, timeout=None):
        raise AssertionError(f"test tried to reach the network: {url}")

    monkeypatch.setattr(mnist_module, "urlopen", refuse)


# --- helpers: tiny synthetic IDX files -------------------------------------------------


def idx_images(n: int = 3, rows: int = 28, cols: int = 28, magic: int = 0x803) -> bytes:
    pixels = (np.arange(n * rows * cols) % 256).astype(np.uint8)
    return struct.pack(">IIII", magic, n, rows, cols) + pixels.tobytes()


def idx_labels(labels=(5, 0, 4), magic: int = 0x801) -> bytes:
    return struct.pack(">II", magic, len(labels)) + bytes(labels)


def write_split(
    root: Path, images: bytes | None = None, labels: bytes | None = None, gz: bool = True
) -> None:
    """Write a train split (images + labels) into root, gzip-compressed or raw."""
    root.mkdir(parents=True, exist_ok=True)
    for name, content in (
        (TRAIN_IMAGES, idx_images() if images is None else images),
        (TRAIN_LABELS, idx_labels() if labels is None else labels),
    ):
        if gz:
            (root / f"{name}.gz").write_bytes(gzip.compress(content))
        else:
            (root / name).write_bytes(content)


# --- the real files ------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_train():
    return MNIST(REAL_ROOT, train=True, download=False)


@needs_real
def test_real_train_split(real_train):
    ds = real_train
    assert ds.data.shape == (60000, 28, 28) and ds.data.dtype == np.uint8
    assert ds.targets.shape == (60000,) and ds.targets.dtype == np.int64
    assert len(ds) == 60000
    assert ds.targets[:5].tolist() == [5, 0, 4, 1, 9]
    assert np.bincount(ds.targets).tolist() == TRAIN_COUNTS
    assert ds.data.min() == 0 and ds.data.max() == 255
    image, label = ds[0]
    assert image.shape == (28, 28) and image.dtype == np.uint8
    assert label == 5 and isinstance(label, int)
    assert ds.data.flags.writeable  # an ordinary array, not a view of read-only bytes


@needs_real
def test_real_test_split():
    ds = MNIST(REAL_ROOT, train=False, download=False)
    assert ds.data.shape == (10000, 28, 28) and ds.targets.shape == (10000,)
    assert ds.targets[:5].tolist() == [7, 2, 1, 0, 4]
    assert np.bincount(ds.targets).tolist() == TEST_COUNTS


@needs_real
def test_load_mnist_normalises(real_train):
    X, y = load_mnist(REAL_ROOT, train=True)
    assert X.shape == (60000, 784) and X.dtype == np.float32
    assert y.dtype == np.int64 and np.array_equal(y, real_train.targets)
    assert X.min() == 0.0 and X.max() == 1.0
    expected = real_train.data[:100].reshape(100, 784).astype(np.float32) / 255
    np.testing.assert_array_equal(X[:100], expected)


@needs_real
def test_real_md5s_match_readme():
    """Our MD5 table equals the data README's, and the files on disk match it."""
    readme = REAL_ROOT / "README.md"
    if readme.is_file():
        table = dict(re.findall(r"\| (\S+)\.gz \|[^|]*\| ([0-9a-f]{32}) \|", readme.read_text()))
        assert table == mnist_module.MD5
    for train in (True, False):
        read_mnist(REAL_ROOT, train=train, download=False, verify=True)


# --- where the files are looked for --------------------------------------------------


def test_root_argument_beats_env_var(tmp_path, monkeypatch):
    write_split(tmp_path / "arg", labels=idx_labels((1, 2, 3)))
    write_split(tmp_path / "env", labels=idx_labels((7, 8, 9)))
    monkeypatch.setenv("TINYGRAD_EDU_DATA", str(tmp_path / "env"))
    assert MNIST(tmp_path / "arg", download=False).targets.tolist() == [1, 2, 3]
    assert MNIST(download=False).targets.tolist() == [7, 8, 9]
    assert MNIST(download=False).root == tmp_path / "env"


def test_home_cache_is_the_last_resort(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("TINYGRAD_EDU_DATA", "")  # empty counts as unset
    cache = tmp_path / ".cache" / "tinygrad_edu" / "mnist"
    assert mnist_module.default_root() == cache
    write_split(cache, labels=idx_labels((3, 1, 4)))
    assert MNIST(download=False).targets.tolist() == [3, 1, 4]
    monkeypatch.delenv("TINYGRAD_EDU_DATA")
    assert mnist_module.default_root() == cache


def test_raw_files_work(tmp_path):
    write_split(tmp_path, gz=False)
    ds = MNIST(tmp_path, download=False)
    assert ds.data.shape == (3, 28, 28) and ds.targets.tolist() == [5, 0, 4]
    np.testing.assert_array_equal(ds.data.ravel(), np.arange(3 * 784) % 256)


def test_missing_file_names_it_and_the_remedy(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        MNIST(tmp_path, download=False)
    message = str(info.value)
    assert TRAIN_IMAGES in message and str(tmp_path) in message
    assert "TINYGRAD_EDU_DATA" in message and "root=" in message


# --- damaged files -------------------------------------------------------------------


@pytest.mark.parametrize("gz", [True, False])
def test_bad_magic_number(tmp_path, gz):
    write_split(tmp_path, images=idx_images(magic=0x801), gz=gz)
    with pytest.raises(ValueError, match=rf"{TRAIN_IMAGES}.*magic number 0x00000801"):
        MNIST(tmp_path, download=False)


def test_labels_file_in_place_of_images(tmp_path):
    write_split(tmp_path, labels=idx_images())
    with pytest.raises(ValueError, match=rf"{TRAIN_LABELS}.*magic number 0x00000803"):
        MNIST(tmp_path, download=False)


@pytest.mark.parametrize("cut", [10, 16 + 100])  # inside the header, inside the payload
def test_truncated_images(tmp_path, cut):
    write_split(tmp_path, images=idx_images()[:cut])
    with pytest.raises(ValueError, match=rf"{TRAIN_IMAGES}.*truncated"):
        MNIST(tmp_path, download=False)


@pytest.mark.parametrize(
    "damage",
    [
        lambda gz: gz[:-6],  # cut off the end
        lambda gz: gz[:10] + b"\xff" * (len(gz) - 18) + gz[-8:],  # garble the deflate stream
    ],
    ids=["truncated", "garbled"],
)
def test_damaged_gzip(tmp_path, damage):
    write_split(tmp_path)
    path = tmp_path / f"{TRAIN_LABELS}.gz"
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(ValueError, match=rf"{TRAIN_LABELS}.gz is not a valid gzip file"):
        MNIST(tmp_path, download=False)


def test_count_mismatch_names_both_files(tmp_path):
    write_split(tmp_path, labels=idx_labels((5, 0)))
    with pytest.raises(ValueError, match=r"3 images.*2 labels") as info:
        MNIST(tmp_path, download=False)
    assert TRAIN_IMAGES in str(info.value) and TRAIN_LABELS in str(info.value)


def test_wrong_image_size(tmp_path):
    write_split(tmp_path, images=idx_images(rows=14, cols=14))
    with pytest.raises(ValueError, match=rf"{TRAIN_IMAGES}.*\(14, 14\)"):
        MNIST(tmp_path, download=False)


def test_label_out_of_range(tmp_path):
    write_split(tmp_path, labels=idx_labels((5, 10, 4)))
    with pytest.raises(ValueError, match=rf"{TRAIN_LABELS}.*label 10"):
        MNIST(tmp_path, download=False)


def test_md5_checked_only_with_verify(tmp_path):
    write_split(tmp_path)  # well-formed, but not the real MNIST content
    assert len(MNIST(tmp_path, download=False)) == 3
    with pytest.raises(ValueError, match=rf"{TRAIN_IMAGES}.gz: MD5 .* expected") as info:
        MNIST(tmp_path, download=False, verify=True)
    assert "Delete it" in str(info.value)


# --- downloading (with a fake urlopen serving local bytes) ----------------------------


def serve(monkeypatch, files: dict[str, bytes], fail_mirrors: tuple[str, ...] = ()) -> list:
    """Replace urlopen with a fake that serves ``files`` (name -> gzip bytes) from every
    mirror except those in ``fail_mirrors``; return the list of requested URLs."""
    requested = []

    def fake_urlopen(url, timeout=None):
        requested.append(url)
        mirror, name = url.rsplit("/", 1)
        if mirror + "/" in fail_mirrors:
            raise URLError("no route to host")
        return io.BytesIO(files[name.removesuffix(".gz")])

    monkeypatch.setattr(mnist_module, "urlopen", fake_urlopen)
    return requested


def fake_remote(monkeypatch) -> dict[str, bytes]:
    """Synthetic train files as a mirror would serve them, their MD5s patched in."""
    files = {TRAIN_IMAGES: idx_images(), TRAIN_LABELS: idx_labels()}
    for name, content in files.items():
        monkeypatch.setitem(mnist_module.MD5, name, hashlib.md5(content).hexdigest())
    return {name: gzip.compress(content) for name, content in files.items()}


def test_download_writes_verified_files(tmp_path, monkeypatch):
    requested = serve(monkeypatch, fake_remote(monkeypatch))
    root = tmp_path / "new" / "dir"
    ds = MNIST(root)
    assert ds.targets.tolist() == [5, 0, 4] and ds.data.shape == (3, 28, 28)
    first = mnist_module.MIRRORS[0]
    assert requested == [f"{first}{TRAIN_IMAGES}.gz", f"{first}{TRAIN_LABELS}.gz"]
    assert sorted(p.name for p in root.iterdir()) == [f"{TRAIN_IMAGES}.gz", f"{TRAIN_LABELS}.gz"]
    # the second load reads the saved files and does not download again
    requested.clear()
    assert len(MNIST(root, verify=True)) == 3 and requested == []


def test_download_fetches_only_missing_files(tmp_path, monkeypatch):
    requested = serve(monkeypatch, fake_remote(monkeypatch))
    write_split(tmp_path)
    (tmp_path / f"{TRAIN_LABELS}.gz").unlink()
    assert len(MNIST(tmp_path)) == 3
    assert requested == [f"{mnist_module.MIRRORS[0]}{TRAIN_LABELS}.gz"]


def test_download_falls_back_to_next_mirror(tmp_path, monkeypatch):
    first, second = mnist_module.MIRRORS[:2]
    requested = serve(monkeypatch, fake_remote(monkeypatch), fail_mirrors=(first,))
    assert len(MNIST(tmp_path)) == 3
    assert requested[:2] == [f"{first}{TRAIN_IMAGES}.gz", f"{second}{TRAIN_IMAGES}.gz"]


def test_download_rejects_md5_mismatch(tmp_path, monkeypatch):
    files = fake_remote(monkeypatch)
    files[TRAIN_IMAGES] = gzip.compress(idx_images(n=2))  # not what the MD5 table expects
    serve(monkeypatch, files)
    with pytest.raises(RuntimeError, match=rf"{TRAIN_IMAGES}.gz.*MD5") as info:
        MNIST(tmp_path)
    assert str(tmp_path) in str(info.value)
    assert list(tmp_path.iterdir()) == []  # nothing half-written or wrong left behind


def test_download_without_network_says_what_to_do(tmp_path, monkeypatch):
    serve(monkeypatch, {}, fail_mirrors=mnist_module.MIRRORS)
    with pytest.raises(RuntimeError) as info:
        MNIST(tmp_path / "cache")
    message = str(info.value)
    assert f"Could not download {TRAIN_IMAGES}.gz into {tmp_path / 'cache'}" in message
    assert "no route to host" in message
    assert "TINYGRAD_EDU_DATA" in message and "root=" in message
    assert not (tmp_path / "cache").exists()


# --- iris ----------------------------------------------------------------------------


def test_iris():
    X, y, names = iris()
    assert X.shape == (150, 4) and X.dtype == np.float64
    assert y.shape == (150,) and y.dtype == np.int64
    assert names == ["setosa", "versicolor", "virginica"]
    assert np.bincount(y).tolist() == [50, 50, 50]
    assert X[0].tolist() == [5.1, 3.5, 1.4, 0.2] and y[0] == 0
    assert X[50].tolist() == [7.0, 3.2, 4.7, 1.4] and y[50] == 1
    assert X[149].tolist() == [5.9, 3.0, 5.1, 1.8] and y[149] == 2
    # Fisher's values for the two rows the UCI copy gets wrong
    assert X[34].tolist() == [4.9, 3.1, 1.5, 0.2] and X[37].tolist() == [4.9, 3.6, 1.4, 0.1]
    np.testing.assert_allclose(X.mean(axis=0), [5.843333, 3.057333, 3.758, 1.199333], atol=1e-6)


# --- synthetic sets ------------------------------------------------------------------


def test_xor():
    X, y = xor()
    assert X.shape == (4, 2) and X.dtype == np.float32
    assert y.shape == (4, 1) and y.dtype == np.float32
    np.testing.assert_array_equal(y[:, 0], np.logical_xor(X[:, 0], X[:, 1]))


def test_linear_regression():
    x, y = linear_regression()
    assert x.shape == y.shape == (50,) and x.dtype == y.dtype == np.float64
    np.testing.assert_array_equal(x, np.linspace(0, 10, 50))
    slope, intercept = np.polyfit(x, y, 1)
    assert abs(slope - 3) < 0.3 and abs(intercept - 2) < 1.5
    assert np.array_equal(linear_regression()[1], y)
    assert not np.array_equal(linear_regression(seed=0)[1], y)
    assert linear_regression(n=7)[0].shape == (7,)


def test_linear_regression_matches_the_notebook():
    """Same numbers as ``np.random.seed(42); np.random.normal(0, 2, 50)``."""
    saved = np.random.get_state()
    try:
        np.random.seed(42)
        noise = np.random.normal(0, 2, 50)
    finally:
        np.random.set_state(saved)
    x, y = linear_regression(50, seed=42)
    np.testing.assert_array_equal(y, 3 * x + 2 + noise)


def test_credit_approval():
    X, y = credit_approval()
    assert X.shape == (10000, 4) and X.dtype == np.float32
    assert y.shape == (10000, 1) and y.dtype == np.float32
    assert set(np.unique(y)) == {0.0, 1.0}
    assert abs(y.mean() - 0.5) < 0.03
    np.testing.assert_allclose(X.mean(axis=0), 0, atol=0.05)
    np.testing.assert_allclose(X.std(axis=0), 1, atol=0.05)
    X2, y2 = credit_approval()
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    assert not np.array_equal(credit_approval(seed=1)[0], X)
    assert credit_approval(n=32)[0].shape == (32, 4)
