"""The differentiable ops, one ``Function`` each, grouped by kind.

- ``elementwise``: + - * / neg pow exp log sqrt abs sin cos tanh sigmoid relu leaky_relu
  clamp maximum minimum where, and the dtype cast.
- ``reduce``: sum, amax / amin, logsumexp.
- ``movement``: reshape, permute, expand, indexing and its adjoint, cat.
- ``matmul``: matrix products, batched, and ``Linear`` (x W^T + b as one node).
- ``nn``: softmax and log_softmax.
- ``conv``: convolution (1-D and 2-D) as sliding windows and one matrix product, and the
  window ops ``Unfold`` (im2col) and ``Fold`` (col2im), each the other's adjoint.
- ``pool``: max pooling (average pooling is ``Unfold`` then a mean).
- ``pad``: constant padding (and cropping).
- ``activation``: erf, softplus, log-sigmoid, ELU, hardtanh (GELU, SiLU, Mish are composed).
- ``loss``: fused losses: binary cross-entropy, MSE, the negative log-likelihood of the
  target classes (``F.cross_entropy`` = log_softmax + that).

Each class's docstring gives its derivative; ``backward`` is the chain rule written with
Tensor operations. Composite operations (mean, var, std, stack, ...) are built from these
in ``tinygrad_edu.tensor`` and need no backward of their own.
"""
