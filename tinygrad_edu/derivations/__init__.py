"""The source material's manual backprop, written out in NumPy and checked against the tape.

One function per derivation; each docstring gives the math and the write-up's own
formula. Functions named ``source_*`` reproduce the write-ups' errata on purpose (see
``tests/test_derivations*.py`` for the counter-examples, and
``examples/derivations_tour.py`` for a printed comparison with autograd).

    layers.py      softmax, output deltas (MSE, cross-entropy, BCE), ReLU / leaky-ReLU
                   gates, dense-layer dW and db, linear regression
    networks.py    full backward passes of 784-128-40-10 and Iris 4-10-3; parameter count
    optimizers.py  Adam (Algorithm 1), the source's Momentum and RMSProp, EMA momentum
    numerics.py    the source's global-max softmax and eps = smallest positive float
"""

from tinygrad_edu.derivations.layers import (
    dense_grads,
    leaky_relu_derivative,
    leaky_relu_gate,
    linear_regression_grads,
    relu_derivative,
    relu_gate,
    sigmoid_bce_delta,
    softmax,
    softmax_ce_delta,
    softmax_mse_delta,
    source_dense_grads,
    source_leaky_relu_derivative,
    source_softmax_mse_delta,
)
from tinygrad_edu.derivations.networks import (
    MNIST_SIZES,
    SOURCE_PARAMETER_COUNT,
    iris_backward,
    iris_forward,
    mlp_backward,
    mlp_forward,
    parameter_count,
    source_mlp_backward,
)
from tinygrad_edu.derivations.numerics import (
    SOURCE_EPS,
    source_cross_entropy,
    source_softmax,
)
from tinygrad_edu.derivations.optimizers import (
    adam_update,
    ema_momentum_update,
    source_momentum_update,
    source_rmsprop_update,
)

__all__ = [
    "MNIST_SIZES",
    "SOURCE_EPS",
    "SOURCE_PARAMETER_COUNT",
    "adam_update",
    "dense_grads",
    "ema_momentum_update",
    "iris_backward",
    "iris_forward",
    "leaky_relu_derivative",
    "leaky_relu_gate",
    "linear_regression_grads",
    "mlp_backward",
    "mlp_forward",
    "parameter_count",
    "relu_derivative",
    "relu_gate",
    "sigmoid_bce_delta",
    "softmax",
    "softmax_ce_delta",
    "softmax_mse_delta",
    "source_cross_entropy",
    "source_dense_grads",
    "source_leaky_relu_derivative",
    "source_mlp_backward",
    "source_momentum_update",
    "source_rmsprop_update",
    "source_softmax",
    "source_softmax_mse_delta",
]
