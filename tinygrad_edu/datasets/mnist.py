"""MNIST handwritten digits, read from the original IDX files.

MNIST has 60,000 training and 10,000 test images of handwritten digits, each a 28x28
grayscale picture with a label 0-9. It ships as four files in the IDX format:

    train-images-idx3-ubyte   train-labels-idx1-ubyte
    t10k-images-idx3-ubyte    t10k-labels-idx1-ubyte

usually gzip-compressed (``.gz``). This module reads either form. An IDX file is a short
big-endian header followed by the raw bytes:

    images: int32 magic 0x00000803, int32 count, int32 rows, int32 cols, count*rows*cols uint8
    labels: int32 magic 0x00000801, int32 count, count uint8

Where the files are looked for, first match wins:

1. the ``root`` argument,
2. the ``TINYGRAD_EDU_DATA`` environment variable,
3. ``~/.cache/tinygrad_edu/mnist``.

Missing files are downloaded there (when ``download=True``) and checked against the MD5
of their uncompressed content. Loading existing files only checks their headers and sizes,
which is fast; pass ``verify=True`` to also check the MD5s.

Example::

    from tinygrad_edu.datasets import MNIST, load_mnist

    train = MNIST(train=True)
    image, label = train[0]        # uint8 (28, 28), 5
    X, y = load_mnist(train=True)  # float32 (60000, 784) in [0, 1], int64 (60000,)
"""

from __future__ import annotations

import gzip
import hashlib
import math
import os
import struct
import tempfile
import zlib
from pathlib import Path
from urllib.request import urlopen

import numpy as np

ENV_VAR = "TINYGRAD_EDU_DATA"
"""Environment variable naming the directory that holds the MNIST files."""

MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
"""Public copies of the original files, tried in order; each serves ``<name>.gz``."""

FILES = {
    True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
"""(images, labels) file names without extension, keyed by ``train``."""

MD5 = {
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}
"""MD5 of each file's *uncompressed* content (gzip headers differ between mirrors)."""

IMAGES_MAGIC = 0x00000803  # unsigned bytes (0x08), 3 dimensions
LABELS_MAGIC = 0x00000801  # unsigned bytes (0x08), 1 dimension
DOWNLOAD_TIMEOUT_S = 60


def default_root() -> Path:
    """The directory used when no ``root`` is given: ``$TINYGRAD_EDU_DATA`` if set, else
    ``~/.cache/tinygrad_edu/mnist``."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "tinygrad_edu" / "mnist"


def _find(root: Path, name: str) -> Path | None:
    """The compressed or raw copy of ``name`` in ``root``, or None if neither exists."""
    for candidate in (root / f"{name}.gz", root / name):
        if candidate.is_file():
            return candidate
    return None


def _read_bytes(path: Path) -> bytes:
    """The uncompressed content of an IDX file, ``.gz`` or raw."""
    data = path.read_bytes()
    if path.suffix == ".gz":
        try:
            return gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise ValueError(
                f"{path} is not a valid gzip file ({exc}); delete it and download it again."
            ) from exc
    return data


def _parse_idx(content: bytes, path: Path, magic: int) -> np.ndarray:
    """Turn the bytes of an IDX file into a uint8 array of the shape its header declares.

    The header is read with ``struct`` (big-endian ``>I`` = unsigned 32-bit); the payload
    becomes an array in one call to ``np.frombuffer``, with no Python loop over pixels.
    """
    fix = "delete it so it is downloaded again, or replace it with a good copy"
    ndim = magic & 0xFF  # the magic's last byte is the number of dimensions
    header_size = 4 + 4 * ndim
    if len(content) < header_size:
        raise ValueError(
            f"{path} is truncated: {len(content)} bytes, shorter than its header; {fix}."
        )
    (found,) = struct.unpack(">I", content[:4])
    if found != magic:
        raise ValueError(
            f"{path} has magic number 0x{found:08X}, expected 0x{magic:08X}: it is not an "
            f"MNIST {'image' if ndim == 3 else 'label'} file (or it is corrupted); {fix}."
        )
    shape = struct.unpack(f">{ndim}I", content[4:header_size])
    expected = math.prod(shape)  # Python ints: four 32-bit sizes cannot overflow it
    if len(content) - header_size != expected:
        raise ValueError(
            f"{path} holds {len(content) - header_size} bytes after its header, but the header "
            f"promises {expected} for shape {shape}: the file is truncated or corrupted; {fix}."
        )
    # frombuffer shares the (read-only) bytes; copy so callers get an ordinary array.
    array = np.frombuffer(content, np.uint8, count=expected, offset=header_size)
    return array.reshape(shape).copy()


def _check_md5(content: bytes, name: str, path: Path) -> None:
    digest = hashlib.md5(content).hexdigest()
    if digest != MD5[name]:
        raise ValueError(
            f"{path}: MD5 of the uncompressed content is {digest}, expected {MD5[name]}; "
            "the file is corrupted or is not the original MNIST file. Delete it so it is "
            "downloaded again, or replace it with a good copy."
        )


def _download(name: str, root: Path) -> Path:
    """Fetch ``<name>.gz`` from the first mirror that serves a correct copy into ``root``.

    The MD5 is checked before anything is written, and the file is written under a
    temporary name and then renamed (``os.replace``), so an interrupted download never
    leaves a half-written file that would later be mistaken for a good one.
    """
    errors = []
    for mirror in MIRRORS:
        url = f"{mirror}{name}.gz"
        try:
            with urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response:
                compressed = response.read()
            digest = hashlib.md5(gzip.decompress(compressed)).hexdigest()
        except (OSError, EOFError, zlib.error) as exc:  # network errors are OSErrors
            errors.append(f"{url}: {exc}")
            continue
        if digest != MD5[name]:
            errors.append(f"{url}: MD5 {digest}, expected {MD5[name]}")
            continue
        root.mkdir(parents=True, exist_ok=True)
        target = root / f"{name}.gz"
        fd, tmp = tempfile.mkstemp(dir=root, prefix=f".{name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(compressed)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target
    tried = "\n  ".join(errors)
    raise RuntimeError(
        f"Could not download {name}.gz into {root}. Tried:\n  {tried}\n"
        f"If this machine has no network, copy the MNIST files into a directory and set "
        f"{ENV_VAR} to it, or pass root=<that directory>."
    )


def _locate(root: Path, name: str, download: bool) -> Path:
    path = _find(root, name)
    if path is not None:
        return path
    if download:
        return _download(name, root)
    raise FileNotFoundError(
        f"{root / name}.gz (or the uncompressed {name}) not found. Put the MNIST files in "
        f"{root}, set {ENV_VAR} to the directory holding them, pass root=<that directory>, "
        "or use download=True."
    )


def read_mnist(
    root: str | os.PathLike[str] | None = None,
    train: bool = True,
    download: bool = True,
    verify: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Read one MNIST split: uint8 images (N, 28, 28) and int64 labels (N,).

    Args:
        root: directory holding the IDX files; default :func:`default_root`.
        train: the 60,000 training images if True, else the 10,000 test images.
        download: fetch missing files from :data:`MIRRORS` (verified by MD5).
        verify: also check the MD5 of files that were already there (slower).
    """
    root = Path(root).expanduser() if root is not None else default_root()
    images_name, labels_name = FILES[train]
    images_path = _locate(root, images_name, download)
    labels_path = _locate(root, labels_name, download)

    images_raw = _read_bytes(images_path)
    labels_raw = _read_bytes(labels_path)
    if verify:
        _check_md5(images_raw, images_name, images_path)
        _check_md5(labels_raw, labels_name, labels_path)
    images = _parse_idx(images_raw, images_path, IMAGES_MAGIC)
    labels = _parse_idx(labels_raw, labels_path, LABELS_MAGIC)

    if images.shape[1:] != (28, 28):
        raise ValueError(
            f"{images_path} holds images of shape {images.shape[1:]}, expected (28, 28); "
            "replace it with the original MNIST file."
        )
    if len(images) != len(labels):
        raise ValueError(
            f"{images_path} has {len(images)} images but {labels_path} has {len(labels)} "
            "labels; the two files do not belong together. Replace them with matching copies."
        )
    if len(labels) and labels.max() > 9:
        raise ValueError(
            f"{labels_path} contains label {labels.max()}, but digits are 0-9; "
            "replace it with the original MNIST file."
        )
    return images, labels.astype(np.int64)


class MNIST:
    """The MNIST digits as a PyTorch-style dataset.

    Attributes:
        root: the directory the files were read from.
        train: which split this is.
        data: uint8 array (N, 28, 28), pixel values 0 (background) to 255 (ink).
        targets: int64 array (N,), the digit shown in each image.

    ``len(ds)`` is N and ``ds[i]`` is the pair ``(image, label)``, with image a uint8
    (28, 28) array and label a Python int, as torchvision's MNIST returns (but NumPy instead
    of a PIL image). See :func:`read_mnist` for the arguments.
    """

    def __init__(
        self,
        root: str | os.PathLike[str] | None = None,
        train: bool = True,
        download: bool = True,
        verify: bool = False,
    ) -> None:
        self.root = Path(root).expanduser() if root is not None else default_root()
        self.train = train
        self.data, self.targets = read_mnist(self.root, train, download, verify)

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> tuple[np.ndarray, int]:
        return self.data[index], int(self.targets[index])

    def __repr__(self) -> str:
        split = "train" if self.train else "test"
        return f"MNIST(split={split!r}, n={len(self)}, root={str(self.root)!r})"


def load_mnist(
    root: str | os.PathLike[str] | None = None, train: bool = True, download: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """MNIST ready for a network: X float32 (N, 784) in [0, 1] and y int64 (N,).

    Each 28x28 image is flattened row by row into 784 features and divided by 255, so 0
    stays 0 (background) and 255 becomes 1.0 (full ink). Labels are the digits 0-9; turn
    them into one-hot rows with ``np.eye(10, dtype=np.float32)[y]`` where a loss needs it.
    Missing files are downloaded as :class:`MNIST` does, unless ``download=False``.
    """
    images, labels = read_mnist(root, train, download)
    X = np.divide(images.reshape(len(images), -1), np.float32(255), dtype=np.float32)
    return X, labels
