"""The source's update rules (``derivations.optimizers``) against ``tinygrad_edu.optim``.

Each test runs a manual rule and an optimizer side by side for 25 float64 steps on the
same loss; the gradient comes from the tape at the optimizer's parameter, and the same
gradient is fed to the manual rule, so any disagreement is in the update itself.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from derivation_helpers import rel_err
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import Tensor, optim
from tinygrad_edu import derivations as D

STEPS = 25
SETTINGS = settings(deadline=None, max_examples=15)


def loss(p: Tensor, target: np.ndarray, curvature: np.ndarray) -> Tensor:
    """A narrow-ravine quadratic plus a cosine ripple, so gradients change every step."""
    d = p - Tensor(target)
    return (Tensor(curvature) * d * d).sum() + d.cos().sum()


@st.composite
def problems(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(theta0, target, curvature) for a parameter of 1 to 6 elements."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.integers(1, 6))
    return rng.normal(size=n), rng.normal(size=n), rng.uniform(0.1, 10.0, n)


def run_side_by_side(
    problem: tuple[np.ndarray, np.ndarray, np.ndarray],
    make_opt: Callable[[Tensor], optim.Optimizer],
    manual_step: Callable[[np.ndarray, np.ndarray, int], np.ndarray],
    lr_at: Callable[[int], float] | None = None,
) -> float:
    """Run 25 steps of both; return the worst relative difference of theta over the run."""
    theta0, target, curvature = problem
    p = Tensor(theta0.copy(), requires_grad=True)
    opt = make_opt(p)
    theta, worst = theta0.copy(), 0.0
    for t in range(1, STEPS + 1):
        if lr_at is not None:
            opt.param_groups[0]["lr"] = lr_at(t)
        opt.zero_grad()
        loss(p, target, curvature).backward()
        g = p.grad._data.copy()
        opt.step()
        theta = manual_step(theta, g, t)
        worst = max(worst, rel_err(theta, p._data))
    return worst


@SETTINGS
@given(
    problems(),
    st.sampled_from([1e-3, 1e-2, 0.1]),
    st.sampled_from([(0.9, 0.999), (0.9, 0.99), (0.5, 0.9)]),
    st.sampled_from([1e-8, 1e-3]),
)
def test_adam_algorithm_1_equals_optim_adam_step_by_step(problem, lr, betas, eps):
    """Algorithm 1 (bias-corrected, eps outside the root) is what optim.Adam computes,
    including the source's beta2 = 0.99 and an eps large enough to matter."""
    state = {"m": np.zeros_like(problem[0]), "v": np.zeros_like(problem[0])}

    def manual(theta, g, t):
        theta, state["m"], state["v"] = D.adam_update(
            theta, g, state["m"], state["v"], t, lr, betas[0], betas[1], eps
        )
        return theta

    make = lambda p: optim.Adam([p], lr=lr, betas=betas, eps=eps)  # noqa: E731
    assert run_side_by_side(problem, make, manual) <= 1e-10


@SETTINGS
@given(problems(), st.sampled_from([1e-3, 1e-2, 0.05]), st.sampled_from([0.5, 0.9, 0.99]))
def test_source_momentum_equals_sgd_momentum_at_constant_lr(problem, lr, beta):
    """v = beta v + lr g; theta -= v  is  SGD(momentum=beta, lr=lr) while lr is fixed."""
    v = {"v": np.zeros_like(problem[0])}

    def manual(theta, g, t):
        theta, v["v"] = D.source_momentum_update(theta, g, v["v"], lr, beta)
        return theta

    make = lambda p: optim.SGD([p], lr=lr, momentum=beta)  # noqa: E731
    assert run_side_by_side(problem, make, manual) <= 1e-10


@SETTINGS
@given(problems())
def test_source_momentum_differs_from_sgd_once_lr_changes(problem):
    """Caveat of the equivalence above: halve lr at step 10 and the two part ways,
    because PyTorch applies the NEW lr to the whole accumulated buffer while the source's
    v keeps the old lr inside. Learn: "momentum" names two different update rules."""
    lr_at = lambda t: 0.05 if t < 10 else 0.025  # noqa: E731
    v = {"v": np.zeros_like(problem[0])}

    def manual(theta, g, t):
        theta, v["v"] = D.source_momentum_update(theta, g, v["v"], lr_at(t), 0.9)
        return theta

    make = lambda p: optim.SGD([p], lr=0.05, momentum=0.9)  # noqa: E731
    assert run_side_by_side(problem, make, manual, lr_at) > 1e-6


@SETTINGS
@given(problems(), st.sampled_from([1e-3, 1e-2, 0.1]), st.sampled_from([0.5, 0.9]))
def test_ema_momentum_equals_sgd_with_lr_times_one_minus_beta(problem, lr, beta):
    """v = beta v + (1-beta) g; theta -= lr v  is  SGD(momentum=beta, lr=lr (1-beta))."""
    v = {"v": np.zeros_like(problem[0])}

    def manual(theta, g, t):
        theta, v["v"] = D.ema_momentum_update(theta, g, v["v"], lr, beta)
        return theta

    make = lambda p: optim.SGD([p], lr=lr * (1 - beta), momentum=beta)  # noqa: E731
    assert run_side_by_side(problem, make, manual) <= 1e-10


@SETTINGS
@given(problems(), st.sampled_from([1e-3, 1e-2]), st.sampled_from([0.9, 0.99, 0.999]))
def test_source_rmsprop_equals_rmsprop_with_eps_zero(problem, lr, beta2):
    """v = b2 v + (1-b2) g^2; theta -= lr g / sqrt(v)  is  RMSprop(alpha=b2, eps=0);
    with PyTorch's default eps = 1e-8 it is close but not equal (eps sits outside the
    root). The ripple keeps these gradients away from 0 (see the next test)."""
    v = {"v": np.zeros_like(problem[0])}

    def manual(theta, g, t):
        theta, v["v"] = D.source_rmsprop_update(theta, g, v["v"], lr, beta2)
        return theta

    make = lambda p: optim.RMSprop([p], lr=lr, alpha=beta2, eps=0.0)  # noqa: E731
    assert run_side_by_side(problem, make, manual) <= 1e-10


def test_source_rmsprop_gives_nan_for_a_gradient_that_was_always_zero():
    """The source's RMSProp has no eps: a coordinate with g = 0 so far computes 0/0 = nan
    and poisons the parameter. optim.RMSprop's eps = 1e-8 keeps it still. Learn: eps is
    not cosmetic; it is the 0/0 guard."""
    theta, g, v = np.array([1.0, 2.0]), np.array([0.0, 0.5]), np.zeros(2)
    theta_new, _ = D.source_rmsprop_update(theta, g, v, lr=0.01, beta2=0.999)
    assert np.isnan(theta_new[0]) and np.isfinite(theta_new[1])

    p = Tensor(theta.copy(), requires_grad=True)
    opt = optim.RMSprop([p], lr=0.01, alpha=0.999)
    p.grad = Tensor(g.copy())
    opt.step()
    assert p._data[0] == 1.0 and np.isfinite(p._data).all()
