"""The differentiable ops, one ``Function`` each, grouped by kind.

- ``elementwise``: + - * / neg pow exp log sqrt abs sin cos tanh sigmoid relu leaky_relu
  clamp maximum minimum where, and the dtype cast.
- ``reduce``: sum, amax / amin, logsumexp.
- ``movement``: reshape, permute, expand, indexing and its adjoint, cat.
- ``matmul``: matrix products, batched, and ``Linear`` (x W^T + b as one node).
- ``nn``: softmax and log_softmax.
- ``loss``: fused losses: binary cross-entropy, MSE, the negative log-likelihood of the
  target classes (``F.cross_entropy`` = log_softmax + that).

Each class's docstring gives its derivative; ``backward`` is the chain rule written with
Tensor operations. Composite operations (mean, var, std, stack, ...) are built from these
in ``tinygrad_edu.tensor`` and need no backward of their own.
"""
