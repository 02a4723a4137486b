"""Helpers shared by the benchmark scripts: BLAS threads, machine description, RSS, data.

``threads_from_argv()`` must run before NumPy is imported: OpenBLAS reads
``OPENBLAS_NUM_THREADS`` once, when it is loaded. Every script therefore starts with

    from _bench import threads_from_argv
    THREADS = threads_from_argv()   # --threads N (default 1; 0 = leave the BLAS default)
    import numpy as np              # noqa: E402

This module itself imports nothing heavy at the top for that reason.
"""

from __future__ import annotations

import datetime
import os
import platform
import resource
import sys
from pathlib import Path

DEFAULT_THREADS = 1  # as examples/mnist_mlp.py: one BLAS thread unless told otherwise
REPO = Path(__file__).resolve().parents[1]


def threads_from_argv(argv: list[str] | None = None) -> int | None:
    """Read ``--threads N`` from the command line and set the BLAS/OpenMP thread variables.

    N = 0 leaves the environment alone (OpenBLAS then uses one thread per core). Returns the
    number set, or None when left to the library. The argument stays in ``sys.argv`` so the
    script's argparse can list it too (see ``add_threads_arg``).
    """
    argv = sys.argv[1:] if argv is None else argv
    n = DEFAULT_THREADS
    for i, a in enumerate(argv):
        if a == "--threads" and i + 1 < len(argv):
            n = int(argv[i + 1])
        elif a.startswith("--threads="):
            n = int(a.split("=", 1)[1])
    if n <= 0:
        return None
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)
    return n


def add_threads_arg(parser) -> None:
    parser.add_argument(
        "--threads",
        type=int,
        default=DEFAULT_THREADS,
        help="BLAS threads (OPENBLAS_NUM_THREADS, OMP_NUM_THREADS, torch.set_num_threads); "
        f"default {DEFAULT_THREADS}, 0 = the library default",
    )


def blas_threads() -> int | None:
    """The thread count OpenBLAS is really using (asked through ctypes), or None."""
    import ctypes

    import numpy  # noqa: F401  (loads the BLAS library)

    try:
        with open("/proc/self/maps") as f:
            libs = sorted({ln.split()[-1] for ln in f if "openblas" in ln.lower()})
    except OSError:
        return None
    for path in libs:
        lib = ctypes.CDLL(path)
        for name in (
            "scipy_openblas_get_num_threads64_",
            "scipy_openblas_get_num_threads",
            "openblas_get_num_threads64_",
            "openblas_get_num_threads",
        ):
            fn = getattr(lib, name, None)
            if fn is not None:
                return int(fn())
    return None


def blas_name() -> str:
    import numpy as np

    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '?')}"
    except Exception:  # older NumPy: no dict mode
        return "unknown BLAS"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def set_torch_threads(torch, threads: int | None) -> None:
    """PyTorch gets the same thread count as BLAS (its default is one per core)."""
    if torch is not None and threads is not None:
        torch.set_num_threads(threads)


def describe(threads: int | None, torch=None) -> str:
    """One paragraph: date, machine, versions and the thread setting in effect."""
    import numpy as np

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    env = os.environ.get("OPENBLAS_NUM_THREADS", "unset")
    lines = [
        f"date: {datetime.datetime.now().isoformat(timespec='seconds')}",
        f"machine: {os.cpu_count()} cores (nproc), {cpu_model()}, load avg {load:.2f}",
        f"python {platform.python_version()}, numpy {np.__version__} with {blas_name()}",
        f"threads: --threads {threads if threads is not None else 0} "
        f"(OPENBLAS_NUM_THREADS={env}; OpenBLAS reports {blas_threads()})",
    ]
    if torch is not None:
        lines.append(
            f"torch {torch.__version__}, torch.get_num_threads() = {torch.get_num_threads()}"
        )
    return "\n".join(lines)


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark (VmHWM) of this process; False where not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def hwm_rss_mb() -> float:
    """Peak RSS since the last ``reset_peak_rss()`` (VmHWM), in MB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def current_rss_mb() -> float:
    """Resident set size now, in MB (from /proc/self/statm)."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def mnist_dir(given: str | None = None) -> Path:
    """``given``, else $TINYGRAD_EDU_DATA, else ../shared/data/mnist next to the repository."""
    for candidate in (given, os.environ.get("TINYGRAD_EDU_DATA")):
        if candidate:
            return Path(candidate)
    for candidate in (REPO.parent / "shared" / "data" / "mnist", Path("../shared/data/mnist")):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(
        "MNIST not found: pass --data DIR or set TINYGRAD_EDU_DATA to the folder of the four "
        "IDX files (train-images-idx3-ubyte.gz, ...)"
    )
