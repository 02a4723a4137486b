"""``tinygrad_edu.compile``: a training step traced once and replayed as straight-line NumPy.

How a deep-learning compiler works, in four small files (read them in this order):

    compiled.py   compile(): eager first call, capture, guards, graph breaks, replay
    trace.py      capture: a NumPy array subclass that writes down every call made on it
    program.py    code generation: dead calls dropped, buffers preallocated, views fixed
    flat.py       Adam over one flat buffer for all parameters (13 calls instead of 13 each)
"""

from tinygrad_edu.capture.compiled import CompiledFunction, compile
from tinygrad_edu.capture.trace import GraphBreak

__all__ = ["CompiledFunction", "GraphBreak", "compile"]
