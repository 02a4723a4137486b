"""Property tests: Adam is the paper's Algorithm 1 for any gradients, betas and step counts."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tinygrad_edu import Tensor
from tinygrad_edu.optim import SGD, Adam

SIZE = 6
grad_values = st.floats(-1e3, 1e3, allow_nan=False, allow_subnormal=False)
gradient_lists = st.integers(1, 30).flatmap(
    lambda n: st.lists(arrays(np.float64, SIZE, elements=grad_values), min_size=n, max_size=n)
)
betas = st.floats(0.0, 0.999)
epsilons = st.sampled_from([1e-8, 1e-6, 1e-3, 0.1])


def paper_adam(theta, grads, lr, b1, b2, eps):
    """Kingma & Ba, Algorithm 1, literally."""
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    return theta


def run_adam(grads, **kwargs):
    p = Tensor(np.linspace(-1.0, 1.0, SIZE), requires_grad=True)
    opt = Adam([p], **kwargs)
    for g in grads:
        p.grad = Tensor(g)
        opt.step()
    return p, opt


@settings(deadline=None, max_examples=60)
@given(gradient_lists, betas, betas, epsilons, st.floats(1e-4, 1.0))
def test_adam_is_algorithm_1(grads, b1, b2, eps, lr):
    p, _ = run_adam(grads, lr=lr, betas=(b1, b2), eps=eps)
    expected = paper_adam(np.linspace(-1.0, 1.0, SIZE), grads, lr, b1, b2, eps)
    np.testing.assert_allclose(p._data, expected, rtol=1e-9, atol=1e-12)


@settings(deadline=None, max_examples=40)
@given(gradient_lists, betas, st.floats(1e-4, 1.0))
def test_adam_with_beta1_zero_steps_along_the_latest_gradient(grads, b2, lr):
    """With β1 = 0, m̂ = g: the last step is -lr·g/(sqrt(v̂)+ε), opposite to g's sign."""
    p, opt = run_adam(grads[:-1], lr=lr, betas=(0.0, b2))
    before = p._data.copy()
    p.grad = Tensor(grads[-1])
    opt.step()
    t = len(grads)
    v_hat = opt.state[p]["exp_avg_sq"]._data / (1 - b2**t)
    expected_step = -lr * grads[-1] / (np.sqrt(v_hat) + 1e-8)
    np.testing.assert_allclose(p._data - before, expected_step, rtol=1e-9, atol=1e-12)
    moved = p._data != before
    assert np.all(np.sign(p._data - before)[moved] == -np.sign(grads[-1])[moved])


@settings(deadline=None, max_examples=40)
@given(gradient_lists, betas, betas)
def test_adam_step_opposes_its_first_moment(grads, b1, b2):
    p, opt = run_adam(grads[:-1], lr=0.01, betas=(b1, b2))
    before = p._data.copy()
    p.grad = Tensor(grads[-1])
    opt.step()
    m = opt.state[p]["exp_avg"]._data
    moved = p._data != before
    assert np.all(np.sign(p._data - before)[moved] == -np.sign(m)[moved])
    assert float(opt.state[p]["step"]._data) == len(grads)


@settings(deadline=None, max_examples=40)
@given(gradient_lists, st.floats(0.0, 0.99), st.floats(1e-4, 1.0))
def test_sgd_momentum_is_the_lr_inside_form_for_constant_lr(grads, beta, lr):
    """SPEC §2: v = β·v + lr·g; θ = θ - v equals SGD(momentum=β, lr=lr)."""
    theta, v = np.linspace(-1.0, 1.0, SIZE), np.zeros(SIZE)
    p = Tensor(theta.copy(), requires_grad=True)
    opt = SGD([p], lr=lr, momentum=beta)
    for g in grads:
        v = beta * v + lr * g
        theta = theta - v
        p.grad = Tensor(g)
        opt.step()
    np.testing.assert_allclose(p._data, theta, rtol=1e-9, atol=1e-9)
