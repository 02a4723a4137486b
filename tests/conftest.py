"""Hypothesis profiles for the whole suite, chosen by ``HYPOTHESIS_PROFILE``.

ci       (default) few examples, no deadline, a fixed seed: the suite stays fast on 2
         cores and gives the same verdict at every run (hunting is intense's job)
dev      even fewer, for quick edit-and-run loops
intense  many examples, for hunting rare shapes before a release
"""

import os
import sys
from pathlib import Path

from hypothesis import settings

# The examples import their shared helper as ``_cli`` (running ``python examples/x.py`` puts
# examples/ on the path); the tests load them by file path, so put it there too.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))

settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True)
settings.register_profile("dev", max_examples=8, deadline=None)
settings.register_profile("intense", max_examples=400, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
