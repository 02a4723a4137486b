"""What the examples share on the command line: a mistake is one line on stderr, never a
traceback.

    Parser          argparse's parser, but an error is one line: "prog: error: ... (see --help)",
                    exit status 2 (a usage error, as argparse's own)
    positive_int    an option that counts something: a whole number >= 1
    positive_float  a learning rate or a size: a finite number > 0
    out_dir         create --out, or stop with one line naming it
    fail            stop with one line and exit status 1 (e.g. the data is missing)
    limit_threads   one BLAS thread while training (threadpoolctl), if installed

The examples import it as ``_cli``: running ``python examples/x.py`` puts ``examples/`` on
the import path.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line (argparse prints the usage first)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def out_dir(parser: argparse.ArgumentParser, path: str) -> Path:
    """Create the output directory now, before any work, or stop naming ``--out``."""
    out = Path(path)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        parser.error(f"argument --out: cannot create the directory {path}: {e.strerror}")
    return out


def fail(message: str, status: int = 1) -> NoReturn:
    """Stop with ``message`` as one line on stderr."""
    prog = Path(sys.argv[0]).name or "example"
    print(f"{prog}: error: {' '.join(message.split())}", file=sys.stderr)
    raise SystemExit(status)


@contextlib.contextmanager
def limit_threads(n: int = 1) -> Iterator[None]:
    """Run the block with ``n`` BLAS threads.

    This network's matrices are small, and two OpenBLAS threads on a 2-core machine doing
    anything else run many times slower. threadpoolctl changes the limit at run time, so it
    works after NumPy is imported (under pytest too); without it nothing changes.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    with threadpool_limits(limits=n, user_api="blas"):
        yield
