"""Optimizers against their update equations, written again here in plain float64 NumPy.

Every run uses the same schedule (see ``run_ours``): three parameters in two groups, 25
steps, gradients whose scale drops after step 5 (so AMSGrad's running max matters), some
steps where one parameter has no gradient (its state must not advance), and every lr
multiplied by 0.3 from step 12 on (the lr must be re-read at each step).
"""

import pickle

import numpy as np
import pytest

import tinygrad_edu
from tinygrad_edu import Tensor
from tinygrad_edu.optim import SGD, Adadelta, Adagrad, Adam, AdamW, Optimizer, RMSprop

SHAPES = [(3, 4), (5,), (2, 3)]
STEPS = 25
LR_CHANGE_STEP = 12
LR_FACTOR = 0.3
GROUP1_LR = 0.02
NO_GRAD = {(2, 1), (3, 1), (9, 1), (0, 2), (1, 2)}  # (step, parameter index) with grad None
RTOL = 1e-11


def initial_arrays():
    rng = np.random.default_rng(0)
    return [rng.normal(size=s) for s in SHAPES]


def gradient(step, i):
    rng = np.random.default_rng(1000 * step + i)
    return rng.normal(size=SHAPES[i]) * (2.0 if step < 5 else 0.3)


def run_ours(make_opt, steps=STEPS, dtype=np.float64):
    """Run an optimizer through the schedule; return the parameters after every step."""
    params = [Tensor(a.astype(dtype), requires_grad=True) for a in initial_arrays()]
    opt = make_opt([{"params": params[:2]}, {"params": params[2:], "lr": GROUP1_LR}])
    history = []
    for step in range(steps):
        drive_step(opt, params, step)
        history.append([p._data.copy() for p in params])
    return history


def drive_step(opt, params, step):
    if step == LR_CHANGE_STEP:
        for group in opt.param_groups:
            group["lr"] *= LR_FACTOR
    for i, p in enumerate(params):
        g = None if (step, i) in NO_GRAD else gradient(step, i).astype(p._data.dtype)
        p.grad = None if g is None else Tensor(g)
    opt.step()


def run_reference(update, lr, steps=STEPS):
    """The same schedule for a reference ``update(theta, g, state, lr) -> theta``."""
    thetas = initial_arrays()
    lrs = [lr, lr, GROUP1_LR]
    states = [{} for _ in thetas]
    history = []
    for step in range(steps):
        if step == LR_CHANGE_STEP:
            lrs = [x * LR_FACTOR for x in lrs]
        for i in range(len(thetas)):
            if (step, i) not in NO_GRAD:
                thetas[i] = update(thetas[i], gradient(step, i), states[i], lrs[i])
        history.append([t.copy() for t in thetas])
    return history


def assert_histories_close(ours, reference, rtol=RTOL):
    for step, (a, b) in enumerate(zip(ours, reference)):
        for i, (x, y) in enumerate(zip(a, b)):
            np.testing.assert_allclose(x, y, rtol=rtol, atol=1e-14, err_msg=f"step {step} p{i}")


def histories_close(ours, reference, rtol=RTOL):
    return all(
        np.allclose(x, y, rtol=rtol, atol=1e-14)
        for a, b in zip(ours, reference)
        for x, y in zip(a, b)
    )


# ---- the equations, one plain function per optimizer --------------------------------------


def sgd_reference(momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False):
    def update(theta, g, st, lr):
        d = (-g if maximize else g) + weight_decay * theta
        if momentum != 0:
            st["b"] = d.copy() if "b" not in st else momentum * st["b"] + (1 - dampening) * d
            d = d + momentum * st["b"] if nesterov else st["b"]
        return theta - lr * d

    return update


def adam_reference(
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0.0,
    amsgrad=False,
    maximize=False,
    decoupled=False,
    mutant=None,
):
    """Algorithm 1 of Kingma & Ba, plus PyTorch's extras. ``mutant`` names a deliberate
    mistake, used to show that the comparison would catch it."""
    b1, b2 = betas

    def update(theta, g, st, lr):
        t = st["t"] = st.get("t", 0) + 1
        d = -g if maximize else g
        if decoupled and mutant != "decay_after_update":
            theta = theta * (1 - lr * weight_decay)
        elif not decoupled:
            d = d + weight_decay * theta
        st["m"] = b1 * st.get("m", 0.0) + (1 - b1) * d
        st["v"] = b2 * st.get("v", 0.0) + (1 - b2) * d * d
        st["vmax"] = np.maximum(st.get("vmax", 0.0), st["v"])
        v = st["vmax"] if amsgrad else st["v"]
        if mutant == "no_bias_correction":
            m_hat, v_hat = st["m"], v
        else:
            m_hat, v_hat = st["m"] / (1 - b1**t), v / (1 - b2**t)
        if mutant == "eps_inside_sqrt":
            new = theta - lr * m_hat / np.sqrt(v_hat + eps)
        elif mutant == "eps_hat":  # the paper's §2 "efficient" ε̂ arrangement, with ε̂ = ε
            step_size = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
            new = theta - step_size * st["m"] / (np.sqrt(v) + eps)
        else:
            new = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        if mutant == "decay_after_update":
            new = new * (1 - lr * weight_decay)
        return new

    return update


def rmsprop_reference(
    alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False, maximize=False
):
    def update(theta, g, st, lr):
        d = (-g if maximize else g) + weight_decay * theta
        st["v"] = alpha * st.get("v", 0.0) + (1 - alpha) * d * d
        if centered:
            st["ga"] = alpha * st.get("ga", 0.0) + (1 - alpha) * d
            s = np.sqrt(st["v"] - st["ga"] ** 2) + eps
        else:
            s = np.sqrt(st["v"]) + eps
        if momentum > 0:
            st["b"] = momentum * st.get("b", 0.0) + d / s
            return theta - lr * st["b"]
        return theta - lr * d / s

    return update


def adagrad_reference(
    lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10, maximize=False
):
    def update(theta, g, st, lr):
        t = st["t"] = st.get("t", 0) + 1
        d = (-g if maximize else g) + weight_decay * theta
        st["sum"] = st.get("sum", initial_accumulator_value) + d * d
        clr = lr / (1 + (t - 1) * lr_decay)
        return theta - clr * d / (np.sqrt(st["sum"]) + eps)

    return update


def adadelta_reference(rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False):
    """Zeiler's equations: v = ρv + (1-ρ)d², Δ = sqrt(u+ε)/sqrt(v+ε)·d, u = ρu + (1-ρ)Δ²."""

    def update(theta, g, st, lr):
        d = (-g if maximize else g) + weight_decay * theta
        st["v"] = rho * st.get("v", 0.0) + (1 - rho) * d * d
        delta = np.sqrt(st.get("u", 0.0) + eps) / np.sqrt(st["v"] + eps) * d
        st["u"] = rho * st.get("u", 0.0) + (1 - rho) * delta * delta
        return theta - lr * delta

    return update


# name, our constructor kwargs, reference factory, reference kwargs
CASES = [
    ("adadelta", Adadelta, {"lr": 1.0}, adadelta_reference, {}),
    (
        "adadelta_all",
        Adadelta,
        {"lr": 0.5, "rho": 0.8, "eps": 1e-3, "weight_decay": 0.1, "maximize": True},
        adadelta_reference,
        {"rho": 0.8, "eps": 1e-3, "weight_decay": 0.1, "maximize": True},
    ),
    ("sgd", SGD, {"lr": 0.1}, sgd_reference, {}),
    (
        "sgd_wd_max",
        SGD,
        {"lr": 0.1, "weight_decay": 0.1, "maximize": True},
        sgd_reference,
        {"weight_decay": 0.1, "maximize": True},
    ),
    ("sgd_momentum", SGD, {"lr": 0.05, "momentum": 0.9}, sgd_reference, {"momentum": 0.9}),
    (
        "sgd_dampening",
        SGD,
        {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.02},
        sgd_reference,
        {"momentum": 0.8, "dampening": 0.3, "weight_decay": 0.02},
    ),
    (
        "sgd_nesterov",
        SGD,
        {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01, "maximize": True},
        sgd_reference,
        {"momentum": 0.9, "nesterov": True, "weight_decay": 0.01, "maximize": True},
    ),
    ("adam", Adam, {"lr": 0.05, "betas": (0.9, 0.99)}, adam_reference, {"betas": (0.9, 0.99)}),
    ("adam_big_eps", Adam, {"lr": 0.05, "eps": 0.1}, adam_reference, {"eps": 0.1}),
    ("adam_wd", Adam, {"lr": 0.05, "weight_decay": 0.1}, adam_reference, {"weight_decay": 0.1}),
    (
        "adam_amsgrad",
        Adam,
        {"lr": 0.05, "amsgrad": True, "weight_decay": 0.05},
        adam_reference,
        {"amsgrad": True, "weight_decay": 0.05},
    ),
    (
        "adam_maximize",
        Adam,
        {"lr": 0.05, "maximize": True, "weight_decay": 0.1},
        adam_reference,
        {"maximize": True, "weight_decay": 0.1},
    ),
    (
        "adam_decoupled",
        Adam,
        {"lr": 0.05, "weight_decay": 0.2, "decoupled_weight_decay": True},
        adam_reference,
        {"weight_decay": 0.2, "decoupled": True},
    ),
    (
        "adamw",
        AdamW,
        {"lr": 0.05, "weight_decay": 0.2},
        adam_reference,
        {"weight_decay": 0.2, "decoupled": True},
    ),
    (
        "adamw_amsgrad_max",
        AdamW,
        {"lr": 0.05, "amsgrad": True, "maximize": True, "eps": 1e-3},
        adam_reference,
        {"weight_decay": 1e-2, "decoupled": True, "amsgrad": True, "maximize": True, "eps": 1e-3},
    ),
    ("rmsprop", RMSprop, {"lr": 0.01}, rmsprop_reference, {}),
    (
        "rmsprop_wd_max",
        RMSprop,
        {"lr": 0.01, "weight_decay": 0.1, "maximize": True, "eps": 1e-3},
        rmsprop_reference,
        {"weight_decay": 0.1, "maximize": True, "eps": 1e-3},
    ),
    (
        "rmsprop_momentum",
        RMSprop,
        {"lr": 0.01, "momentum": 0.9, "alpha": 0.9},
        rmsprop_reference,
        {"momentum": 0.9, "alpha": 0.9},
    ),
    (
        "rmsprop_centered",
        RMSprop,
        {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.05},
        rmsprop_reference,
        {"centered": True, "momentum": 0.5, "weight_decay": 0.05},
    ),
    ("adagrad", Adagrad, {"lr": 0.1}, adagrad_reference, {}),
    (
        "adagrad_all",
        Adagrad,
        {
            "lr": 0.1,
            "lr_decay": 0.05,
            "weight_decay": 0.1,
            "initial_accumulator_value": 0.5,
            "eps": 1e-3,
            "maximize": True,
        },
        adagrad_reference,
        {
            "lr_decay": 0.05,
            "weight_decay": 0.1,
            "initial_accumulator_value": 0.5,
            "eps": 1e-3,
            "maximize": True,
        },
    ),
]


@pytest.mark.parametrize(
    ("name", "cls", "kwargs", "ref", "ref_kwargs"), CASES, ids=[c[0] for c in CASES]
)
def test_matches_equations(name, cls, kwargs, ref, ref_kwargs):
    ours = run_ours(lambda groups: cls(groups, **kwargs))
    reference = run_reference(ref(**ref_kwargs), kwargs["lr"])
    assert_histories_close(ours, reference)


@pytest.mark.parametrize(
    ("kwargs", "mutant"),
    [
        ({"eps": 0.1}, "eps_inside_sqrt"),
        ({}, "no_bias_correction"),
        ({"eps": 1e-3}, "eps_hat"),
        ({"weight_decay": 0.2, "decoupled_weight_decay": True}, "decay_after_update"),
    ],
)
def test_comparison_catches_adam_mistakes(kwargs, mutant):
    """The reference comparison above is sharp enough to reject each classic Adam mistake."""
    ours = run_ours(lambda groups: Adam(groups, lr=0.05, **kwargs))
    ref_kwargs = {k: v for k, v in kwargs.items() if k != "decoupled_weight_decay"}
    ref_kwargs["decoupled"] = kwargs.get("decoupled_weight_decay", False)
    assert histories_close(ours, run_reference(adam_reference(**ref_kwargs), 0.05))
    wrong = run_reference(adam_reference(**ref_kwargs, mutant=mutant), 0.05)
    assert not histories_close(ours, wrong)


def test_float32_parameters_stay_float32_and_close_to_float64():
    ours32 = run_ours(lambda groups: Adam(groups, lr=0.05), dtype=np.float32)
    ours64 = run_ours(lambda groups: Adam(groups, lr=0.05))
    assert all(x.dtype == np.float32 for x in ours32[-1])
    assert_histories_close(ours32, ours64, rtol=1e-4)


# ---- resume from a checkpoint ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "cls", "kwargs", "ref", "ref_kwargs"), CASES, ids=[c[0] for c in CASES]
)
def test_resume_from_state_dict_is_bit_identical(name, cls, kwargs, ref, ref_kwargs):
    uninterrupted = run_ours(lambda groups: cls(groups, **kwargs))[-1]

    params = [Tensor(a, requires_grad=True) for a in initial_arrays()]

    def make(ps):
        return cls([{"params": ps[:2]}, {"params": ps[2:], "lr": GROUP1_LR}], **kwargs)

    opt = make(params)
    for step in range(12):
        drive_step(opt, params, step)
    saved = pickle.loads(pickle.dumps(opt.state_dict()))
    fresh = make(params)
    fresh.load_state_dict(saved)
    for step in range(12, STEPS):
        drive_step(fresh, params, step)
    for x, y in zip(uninterrupted, params):
        assert np.array_equal(x, y._data)


# ---- first step, state, skipping ------------------------------------------------------------


@pytest.mark.parametrize("scale", [1e-2, 1.0, 1e3])
def test_adam_first_step_is_lr_times_sign(scale):
    rng = np.random.default_rng(3)
    start = rng.normal(size=(4, 5))
    g = rng.normal(size=(4, 5)) * scale
    p = Tensor(start.copy(), requires_grad=True)
    p.grad = Tensor(g)
    Adam([p], lr=0.01).step()
    # bias correction makes m̂ = g and v̂ = g² at t = 1, whatever β1 and β2 are
    np.testing.assert_allclose(p._data - start, -0.01 * g / (np.abs(g) + 1e-8), rtol=1e-9)
    np.testing.assert_allclose(p._data - start, -0.01 * np.sign(g), rtol=1e-3)


def test_adam_state_is_lazy_and_follows_pytorch_layout():
    a = Tensor(np.zeros((2, 3)), requires_grad=True)
    b = Tensor(np.zeros(4, dtype=np.float32), requires_grad=True)
    opt = Adam([a, b], amsgrad=True)
    assert opt.state_dict()["state"] == {}
    a.grad = Tensor(np.ones((2, 3)))
    opt.step()
    assert b not in opt.state
    assert list(opt.state[a]) == ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"]
    step = opt.state[a]["step"]
    assert isinstance(step, Tensor) and step.shape == () and step.dtype == np.float32
    assert float(step._data) == 1.0
    assert opt.state[a]["exp_avg"].dtype == np.float64
    b.grad = Tensor(np.ones(4, dtype=np.float32))
    opt.step()
    assert float(opt.state[a]["step"]._data) == 2.0 and float(opt.state[b]["step"]._data) == 1.0
    assert opt.state[b]["exp_avg_sq"].dtype == np.float32
    assert list(opt.state_dict()["state"]) == [0, 1]


@pytest.mark.parametrize(
    ("make", "keys"),
    [
        (lambda ps: SGD(ps, lr=0.1), None),
        (lambda ps: SGD(ps, lr=0.1, momentum=0.9), ["momentum_buffer"]),
        (lambda ps: RMSprop(ps), ["step", "square_avg"]),
        (
            lambda ps: RMSprop(ps, momentum=0.9, centered=True),
            ["step", "square_avg", "momentum_buffer", "grad_avg"],
        ),
        (lambda ps: Adam(ps), ["step", "exp_avg", "exp_avg_sq"]),
        (lambda ps: AdamW(ps), ["step", "exp_avg", "exp_avg_sq"]),
        (lambda ps: Adadelta(ps), ["step", "square_avg", "acc_delta"]),
    ],
)
def test_state_keys_and_none_grad_skipping(make, keys):
    p = Tensor(np.ones(3), requires_grad=True)
    q = Tensor(np.ones(3), requires_grad=True)
    opt = make([p, q])
    p.grad = Tensor(np.array([1.0, -2.0, 0.5]))
    opt.step()
    np.testing.assert_array_equal(q._data, np.ones(3))
    assert q not in opt.state
    if keys is None:
        assert opt.state_dict()["state"] == {}
    else:
        assert list(opt.state[p]) == keys


def test_adagrad_state_is_eager():
    p = Tensor(np.ones((2, 2)), requires_grad=True)
    opt = Adagrad([p], initial_accumulator_value=0.25)
    state = opt.state_dict()["state"]
    assert list(state) == [0] and list(state[0]) == ["step", "sum"]
    assert float(state[0]["step"]._data) == 0.0
    np.testing.assert_array_equal(state[0]["sum"]._data, np.full((2, 2), 0.25))


def test_adagrad_creates_state_for_a_group_added_later():
    p, q = Tensor(np.ones(2), requires_grad=True), Tensor(np.ones(2), requires_grad=True)
    opt = Adagrad([p], initial_accumulator_value=0.5)
    opt.add_param_group({"params": [q]})
    assert q not in opt.state
    q.grad = Tensor(np.ones(2))
    opt.step()
    np.testing.assert_array_equal(opt.state[q]["sum"]._data, [1.5, 1.5])


def test_zero_gradient_is_not_skipped():
    """A gradient of zeros still takes a step: weight decay shrinks the parameter."""
    p = Tensor(np.ones(3), requires_grad=True)
    p.grad = Tensor(np.zeros(3))
    SGD([p], lr=0.1, weight_decay=0.5).step()
    np.testing.assert_allclose(p._data, np.full(3, 0.95))


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.1, maximize=True),
        lambda ps: Adam(ps, weight_decay=0.1, maximize=True, amsgrad=True),
        lambda ps: AdamW(ps, maximize=True),
        lambda ps: RMSprop(ps, weight_decay=0.1, maximize=True, centered=True, momentum=0.5),
        lambda ps: Adagrad(ps, weight_decay=0.1, maximize=True),
        lambda ps: Adadelta(ps, weight_decay=0.1, maximize=True),
    ],
)
def test_step_updates_in_place_and_never_touches_grad(make):
    p = Tensor(np.linspace(-1, 1, 6).reshape(2, 3), requires_grad=True)
    data = p._data
    g = np.arange(6.0).reshape(2, 3) - 2
    p.grad = Tensor(g.copy())
    grad_array = p.grad._data
    opt = make([p])
    for _ in range(3):
        opt.step()
    assert p._data is data
    assert p.grad._data is grad_array
    np.testing.assert_array_equal(grad_array, g)
    assert not np.array_equal(p._data, np.linspace(-1, 1, 6).reshape(2, 3))


def test_zero_grad():
    p = Tensor(np.ones(2), requires_grad=True)
    opt = SGD([p])
    p.grad = Tensor(np.ones(2))
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(p.grad._data, [0.0, 0.0])
    opt.zero_grad()
    assert p.grad is None


def test_step_calls_closure_and_returns_its_loss():
    p = Tensor(np.ones(2), requires_grad=True)
    opt = SGD([p], lr=0.5)

    def closure():
        p.grad = Tensor(np.array([1.0, 2.0]))
        return 3.5

    assert opt.step(closure) == 3.5
    np.testing.assert_allclose(p._data, [0.5, 0.0])


def test_closure_records_gradients_even_under_no_grad():
    p = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    opt = SGD([p], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with tinygrad_edu.no_grad():
        loss = opt.step(closure)
    assert float(loss._data) == 5.0
    np.testing.assert_allclose(p._data, [0.5, -1.0])


def test_param_groups_defaults_and_named_parameters():
    p, q = Tensor(np.ones(2), requires_grad=True), Tensor(np.ones(2), requires_grad=True)
    opt = SGD([{"params": [p]}, {"params": q, "lr": 0.5, "momentum": 0.9}], lr=0.1)
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[0]["momentum"] == 0
    assert opt.param_groups[1]["lr"] == 0.5 and opt.param_groups[1]["params"] == [q]
    named = Adam([("w", p), ("b", q)])
    assert named.param_groups[0]["param_names"] == ["w", "b"]
    assert named.state_dict()["param_groups"][0]["param_names"] == ["w", "b"]
    assert "Parameter Group 1" in repr(opt) and "lr: 0.5" in repr(opt)


# ---- state_dict ---------------------------------------------------------------------------


def test_state_dict_format_and_shallowness():
    p, q = Tensor(np.ones(2), requires_grad=True), Tensor(np.ones(3), requires_grad=True)
    opt = Adam([{"params": [p]}, {"params": [q], "lr": 0.5}])
    p.grad, q.grad = Tensor(np.ones(2)), Tensor(np.ones(3))
    opt.step()
    sd = opt.state_dict()
    assert sd["param_groups"][0] == {
        "lr": 0.001,
        "betas": (0.9, 0.999),
        "eps": 1e-08,
        "weight_decay": 0,
        "amsgrad": False,
        "maximize": False,
        "foreach": None,
        "capturable": False,
        "differentiable": False,
        "fused": None,
        "decoupled_weight_decay": False,
        "params": [0],
    }
    assert sd["param_groups"][1]["params"] == [1] and sd["param_groups"][1]["lr"] == 0.5
    assert sd["state"][0] is opt.state[p]
    assert sd["state"][1]["exp_avg"] is opt.state[q]["exp_avg"]
    sd["param_groups"][0]["lr"] = 99.0
    assert opt.param_groups[0]["lr"] == 0.001


def test_load_state_dict_replaces_hyperparameters_and_casts_dtype():
    src = Tensor(np.ones(3), requires_grad=True)
    opt = Adam([src], lr=0.5)
    src.grad = Tensor(np.ones(3))
    opt.step()
    dst = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    other = Adam([dst], lr=0.1, betas=(0.5, 0.6))
    other.load_state_dict(opt.state_dict())
    assert other.param_groups[0]["lr"] == 0.5 and other.param_groups[0]["betas"] == (0.9, 0.999)
    assert other.param_groups[0]["params"][0] is dst
    assert other.state[dst]["exp_avg"].dtype == np.float32
    assert other.state[dst]["step"] is opt.state[src]["step"]


def test_load_state_dict_converts_an_old_numeric_step():
    p = Tensor(np.ones(2), requires_grad=True)
    opt = Adam([p])
    old = {
        "state": {
            0: {"step": 4, "exp_avg": Tensor(np.zeros(2)), "exp_avg_sq": Tensor(np.zeros(2))}
        },
        "param_groups": opt.state_dict()["param_groups"],
    }
    opt.load_state_dict(old)
    step = opt.state[p]["step"]
    assert isinstance(step, Tensor) and step.dtype == np.float32 and float(step._data) == 4.0


def test_adamw_stays_decoupled_after_loading_an_adam_state_dict():
    p = Tensor(np.ones(2), requires_grad=True)
    opt = AdamW([p])
    opt.load_state_dict(Adam([Tensor(np.ones(2), requires_grad=True)]).state_dict())
    assert opt.param_groups[0]["decoupled_weight_decay"] is True


def test_optimizer_survives_pickling():
    p = Tensor(np.ones(2), requires_grad=True)
    opt = Adam([p], lr=0.3)
    p.grad = Tensor(np.ones(2))
    opt.step()
    clone = pickle.loads(pickle.dumps(opt))
    (cp,) = clone.param_groups[0]["params"]
    cp.grad = Tensor(np.ones(2))
    clone.step()
    assert float(clone.state[cp]["step"]._data) == 2.0


# ---- the formulas of the source write-ups (SPEC.md) ------------------------------------------


def _grads(n, shape=(4,), seed=5):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=shape) for _ in range(n)]


def test_spec_momentum_with_lr_inside_equals_sgd_momentum_while_lr_is_constant():
    """SPEC §2: v = β·v + lr·g; θ = θ - v  is SGD(momentum=β, lr=lr) while lr is constant."""
    beta, lr, theta, v = 0.9, 0.01, np.ones(4), np.zeros(4)
    p = Tensor(np.ones(4), requires_grad=True)
    opt = SGD([p], lr=lr, momentum=beta)
    for g in _grads(30):
        v = beta * v + lr * g
        theta = theta - v
        p.grad = Tensor(g)
        opt.step()
    np.testing.assert_allclose(p._data, theta, rtol=1e-12)


def test_spec_momentum_with_lr_inside_differs_once_lr_changes():
    beta, theta, v = 0.9, np.ones(4), np.zeros(4)
    p = Tensor(np.ones(4), requires_grad=True)
    opt = SGD([p], lr=0.1, momentum=beta)
    for t, g in enumerate(_grads(20)):
        lr = 0.1 if t < 10 else 0.01
        opt.param_groups[0]["lr"] = lr
        v = beta * v + lr * g
        theta = theta - v
        p.grad = Tensor(g)
        opt.step()
    assert not np.allclose(p._data, theta, rtol=1e-6)


def test_spec_ema_momentum_equals_sgd_with_scaled_lr():
    """SPEC §3: v = β·v + (1-β)·g; θ = θ - lr·v  is SGD(momentum=β, lr=lr·(1-β))."""
    beta, lr, theta, v = 0.9, 0.01, np.ones(4), np.zeros(4)
    p = Tensor(np.ones(4), requires_grad=True)
    q = Tensor(np.ones(4), requires_grad=True)
    exact = SGD([p], lr=lr * (1 - beta), momentum=beta)
    damped = SGD([q], lr=lr, momentum=beta, dampening=beta)
    for g in _grads(30):
        v = beta * v + (1 - beta) * g
        theta = theta - lr * v
        p.grad, q.grad = Tensor(g), Tensor(g)
        exact.step()
        damped.step()
    np.testing.assert_allclose(p._data, theta, rtol=1e-12)
    # dampening=β is not the same thing: the first step copies g undamped
    assert not np.allclose(q._data, theta, rtol=1e-6)


def test_spec_rmsprop_equals_rmsprop_without_eps():
    """SPEC §2: v = β2·v + (1-β2)·g²; θ = θ - lr·g/sqrt(v)  is RMSprop(alpha=β2, eps=0)."""
    beta2, lr, theta, v = 0.999, 0.01, np.ones(4), np.zeros(4)
    p = Tensor(np.ones(4), requires_grad=True)
    opt = RMSprop([p], lr=lr, alpha=beta2, eps=0.0)
    for g in _grads(30):
        v = beta2 * v + (1 - beta2) * g * g
        theta = theta - lr * g / np.sqrt(v)
        p.grad = Tensor(g)
        opt.step()
    np.testing.assert_allclose(p._data, theta, rtol=1e-12)


# ---- bad input ------------------------------------------------------------------------------


def _param():
    return Tensor(np.ones(2), requires_grad=True)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: SGD([_param()], lr=-0.1), ValueError, "Invalid learning rate: -0.1"),
        (lambda: SGD([_param()], momentum=-1), ValueError, "Invalid momentum value: -1"),
        (lambda: SGD([_param()], weight_decay=-1), ValueError, "Invalid weight_decay value: -1"),
        (
            lambda: SGD([_param()], nesterov=True),
            ValueError,
            "Nesterov momentum requires a momentum and zero dampening",
        ),
        (
            lambda: SGD([_param()], momentum=0.9, dampening=0.1, nesterov=True),
            ValueError,
            "Nesterov momentum requires a momentum and zero dampening",
        ),
        (lambda: Adam([_param()], lr=-1e-3), ValueError, "Invalid learning rate: -0.001"),
        (lambda: Adam([_param()], eps=-1.0), ValueError, "Invalid epsilon value: -1.0"),
        (
            lambda: Adam([_param()], betas=(1.0, 0.9)),
            ValueError,
            "Invalid beta parameter at index 0: 1.0",
        ),
        (
            lambda: Adam([_param()], betas=(-0.1, 0.9)),
            ValueError,
            "Invalid beta parameter at index 0: -0.1",
        ),
        (
            lambda: AdamW([_param()], betas=(0.9, 1.0)),
            ValueError,
            "Invalid beta parameter at index 1: 1.0",
        ),
        (lambda: Adam([_param()], weight_decay=-1), ValueError, "Invalid weight_decay value: -1"),
        (lambda: RMSprop([_param()], alpha=-0.5), ValueError, "Invalid alpha value: -0.5"),
        (lambda: RMSprop([_param()], momentum=-0.5), ValueError, "Invalid momentum value: -0.5"),
        (lambda: Adagrad([_param()], lr_decay=-1), ValueError, "Invalid lr_decay value: -1"),
        (
            lambda: Adagrad([_param()], initial_accumulator_value=-1),
            ValueError,
            "Invalid initial_accumulator_value value: -1",
        ),
        (lambda: Adagrad([_param()], eps=-1), ValueError, "Invalid epsilon value: -1"),
        (lambda: Adam([]), ValueError, "optimizer got an empty parameter list"),
        (lambda: Adam(_param()), TypeError, "should be an iterable of Tensors or dicts"),
        (
            lambda: Adam([np.ones(2)]),
            TypeError,
            "optimizer can only optimize Tensors, but one of the params is ndarray",
        ),
        (lambda: Adam([_param() * 2]), ValueError, "can't optimize a non-leaf Tensor"),
        (lambda: Adam([{"params": {_param()}}]), TypeError, "ordered collections"),
        (
            lambda: Adam([_param()], fused=True, foreach=True),
            RuntimeError,
            "`fused` and `foreach` cannot be `True` together.",
        ),
        (
            lambda: Adam([_param()], differentiable=True),
            NotImplementedError,
            "differentiable=True is not supported",
        ),
    ],
)
def test_constructor_errors(make, error, message):
    with pytest.raises(error) as info:
        make()
    assert message in str(info.value)


def test_nan_learning_rate_is_rejected():
    with pytest.raises(ValueError, match="Invalid learning rate"):
        Adam([_param()], lr=float("nan"))


def _snapshot(opt):
    sd = opt.state_dict()
    state = {i: {k: np.array(v._data) for k, v in s.items()} for i, s in sd["state"].items()}
    return state, sd["param_groups"]


def _trained_adam():
    p, q = _param(), Tensor(np.ones(3), requires_grad=True)
    opt = Adam([{"params": [p]}, {"params": [q], "lr": 0.5}])
    p.grad, q.grad = Tensor(np.ones(2)), Tensor(np.ones(3))
    opt.step()
    return opt


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda sd: sd["param_groups"].pop(), "different number of parameter groups"),
        (
            lambda sd: sd["param_groups"][1]["params"].append(7),
            "doesn't match the size of optimizer's group",
        ),
        (lambda sd: sd["state"][1].update(exp_avg=Tensor(np.zeros(4))), "has shape (4,)"),
    ],
)
def test_bad_state_dict_leaves_the_optimizer_unchanged(tamper, message):
    opt = _trained_adam()
    before_state, before_groups = _snapshot(opt)
    before_objects = dict(opt.state)
    source = _trained_adam().state_dict()
    source["state"][0]["exp_avg"] = Tensor(np.full(2, 7.0))
    source["param_groups"][0]["lr"] = 123.0
    tamper(source)
    with pytest.raises(ValueError) as info:
        opt.load_state_dict(source)
    assert message in str(info.value)
    after_state, after_groups = _snapshot(opt)
    assert after_groups == before_groups
    assert dict(opt.state) == before_objects
    for i in before_state:
        for k in before_state[i]:
            np.testing.assert_array_equal(after_state[i][k], before_state[i][k])


def test_add_param_group_errors_leave_groups_unchanged():
    p = _param()
    opt = SGD([p], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [_param(), p]})
    with pytest.raises(TypeError, match="param_group must be a dict"):
        opt.add_param_group([p])
    with pytest.raises(ValueError, match="with/without names"):
        opt.add_param_group({"params": [("w", _param())]})
    assert len(opt.param_groups) == 1 and opt.param_groups[0]["params"] == [p]


def test_duplicate_parameter_warns():
    p = _param()
    with pytest.warns(UserWarning, match="duplicate parameters"):
        SGD([p, p])


def test_base_class_step_is_abstract():
    opt = Optimizer([_param()], {"lr": 0.1})
    with pytest.raises(NotImplementedError):
        opt.step()


def test_optim_is_exported_from_the_package():
    assert tinygrad_edu.optim.Adam is Adam
