"""The differentiable ops, one ``Function`` each, grouped by kind.

- ``elementwise``: + - * / neg pow exp log sqrt abs sin cos tanh sigmoid relu leaky_relu
  clamp maximum minimum where, and the dtype cast.
- ``reduce``: sum, amax / amin, logsumexp.
- ``movement``: reshape, permute, expand, indexing and its adjoint, cat.
- ``matmul``: matrix products, batched.
- ``nn``: softmax and log_softmax.

Each class's docstring gives its derivative; ``backward`` is the chain rule written with
Tensor operations. Composite operations (mean, var, std, stack, ...) are built from these
in ``tinygrad_edu.tensor`` and need no backward of their own.
"""
