"""Reverse-mode automatic differentiation: the tape, the engine and the checks.

- ``Function``: subclass it to define an op (or your own custom op) with forward/backward.
- ``backward`` / ``grad``: run the chain rule over the recorded graph.
- ``no_grad`` / ``enable_grad`` / ``set_grad_enabled``: switch recording off and on.
- ``gradcheck`` / ``gradgradcheck``: compare gradients with finite differences.
- ``detect_anomaly`` / ``set_detect_anomaly``: find the backward that first made a NaN/inf.
- ``functional``: jacobian, hessian, vjp, jvp, hvp, vhp of a whole function.
- ``forward_ad``: forward-mode AD with dual tensors (dual_level, make_dual, unpack_dual).
"""

from tinygrad_edu.autograd import forward_ad, functional
from tinygrad_edu.autograd.anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from tinygrad_edu.autograd.engine import backward, grad
from tinygrad_edu.autograd.function import Function
from tinygrad_edu.autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from tinygrad_edu.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck

__all__ = [
    "Function",
    "GradcheckError",
    "backward",
    "detect_anomaly",
    "enable_grad",
    "forward_ad",
    "functional",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "no_grad",
    "set_detect_anomaly",
    "set_grad_enabled",
]
