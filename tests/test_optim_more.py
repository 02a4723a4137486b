"""Adamax, NAdam, RAdam, Rprop, ASGD (and SGD's nesterov) against their equations and torch.

The schedule is the one of test_optim.py: three parameters in two groups, 25 steps,
gradients whose scale drops after step 5, steps where a parameter has no gradient (its
state must not advance), and every lr multiplied by 0.3 from step 12 on. The equations are
written again here in plain float64 NumPy, straight from the papers plus PyTorch's extras;
the torch comparisons are skipped when PyTorch is absent.
"""

import copy
import math

import numpy as np
import pytest

from tinygrad_edu import Tensor, optim
from tinygrad_edu.optim import ASGD, SGD, Adamax, NAdam, RAdam, Rprop

SHAPES = [(3, 4), (5,), (2, 3)]
STEPS = 25
NO_GRAD = {(2, 1), (3, 1), (9, 1), (0, 2), (1, 2)}
GROUP1_LR = 0.02


def initial_arrays():
    rng = np.random.default_rng(0)
    return [rng.normal(size=s) for s in SHAPES]


def gradient(step, i):
    rng = np.random.default_rng(1000 * step + i)
    return rng.normal(size=SHAPES[i]) * (2.0 if step < 5 else 0.3)


def run_ours(make_opt, steps=STEPS):
    params = [Tensor(a, requires_grad=True) for a in initial_arrays()]
    opt = make_opt([{"params": params[:2]}, {"params": params[2:], "lr": GROUP1_LR}])
    history = []
    for step in range(steps):
        if step == 12:
            for group in opt.param_groups:
                group["lr"] *= 0.3
        for i, p in enumerate(params):
            p.grad = None if (step, i) in NO_GRAD else Tensor(gradient(step, i))
        opt.step()
        history.append([p._data.copy() for p in params])
    return history, opt


def run_reference(update, lr, steps=STEPS):
    thetas = initial_arrays()
    lrs = [lr, lr, GROUP1_LR]
    states = [{} for _ in thetas]
    history = []
    for step in range(steps):
        if step == 12:
            lrs = [x * 0.3 for x in lrs]
        for i in range(len(thetas)):
            if (step, i) not in NO_GRAD:
                thetas[i] = update(thetas[i], gradient(step, i), states[i], lrs[i])
        history.append([t.copy() for t in thetas])
    return history


def _decay(theta, d, lr, weight_decay, decoupled):
    """Weight decay: θ·(1 - γλ) if decoupled, else d + λθ. Returns (θ, d)."""
    if decoupled:
        return theta * (1 - lr * weight_decay), d
    return theta, d + weight_decay * theta


def adamax_reference(betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, maximize=False):
    """Kingma & Ba, Algorithm 2, with ε inside the max and L2 decay (PyTorch's form)."""
    b1, b2 = betas

    def update(theta, g, st, lr):
        t = st["t"] = st.get("t", 0) + 1
        d = (-g if maximize else g) + weight_decay * theta
        st["m"] = b1 * st.get("m", 0.0) + (1 - b1) * d
        st["u"] = np.maximum(b2 * st.get("u", 0.0), np.abs(d) + eps)
        return theta - lr / (1 - b1**t) * st["m"] / st["u"]

    return update


def nadam_reference(
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0.0,
    momentum_decay=4e-3,
    decoupled=False,
    maximize=False,
):
    """Dozat's NAdam as PyTorch writes it (Π is kept in float32, as PyTorch keeps it)."""
    b1, b2 = betas

    def update(theta, g, st, lr):
        t = st["t"] = st.get("t", 0) + 1
        theta, d = _decay(theta, -g if maximize else g, lr, weight_decay, decoupled)
        mu = b1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
        mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
        st["pi"] = float(np.float32(st.get("pi", 1.0)) * np.float32(mu))
        st["m"] = b1 * st.get("m", 0.0) + (1 - b1) * d
        st["v"] = b2 * st.get("v", 0.0) + (1 - b2) * d * d
        s = np.sqrt(st["v"] / (1 - b2**t)) + eps
        theta = theta - lr * (1 - mu) / (1 - st["pi"]) * d / s
        return theta - lr * mu_next / (1 - st["pi"] * mu_next) * st["m"] / s

    return update


def radam_reference(
    betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled=False, maximize=False
):
    """Liu et al., Algorithm 2, with PyTorch's ε placement and decay options."""
    b1, b2 = betas

    def update(theta, g, st, lr):
        t = st["t"] = st.get("t", 0) + 1
        theta, d = _decay(theta, -g if maximize else g, lr, weight_decay, decoupled)
        st["m"] = b1 * st.get("m", 0.0) + (1 - b1) * d
        st["v"] = b2 * st.get("v", 0.0) + (1 - b2) * d * d
        m_hat = st["m"] / (1 - b1**t)
        rho_inf = 2 / (1 - b2) - 1
        rho = rho_inf - 2 * t * b2**t / (1 - b2**t)
        if rho <= 5:
            return theta - lr * m_hat
        r = math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
        adaptive = math.sqrt(1 - b2**t) / (np.sqrt(st["v"]) + eps)
        return theta - lr * m_hat * adaptive * r

    return update


def rprop_reference(etas=(0.5, 1.2), step_sizes=(1e-6, 50), maximize=False):
    """Riedmiller & Braun's Rprop as PyTorch writes it (no move right after a sign flip)."""
    eta_minus, eta_plus = etas

    def update(theta, g, st, lr):
        d = -g if maximize else g
        if "s" not in st:
            st["s"], st["p"] = np.full_like(theta, lr), np.zeros_like(theta)
        same = d * st["p"]
        st["s"] = np.clip(
            st["s"] * np.where(same > 0, eta_plus, np.where(same < 0, eta_minus, 1.0)),
            *step_sizes,
        )
        st["p"] = np.where(same < 0, 0.0, d)
        return theta - np.sign(st["p"]) * st["s"]

    return update


def asgd_reference(lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0.0, maximize=False):
    """Averaged SGD; η and μ rounded to float32, as PyTorch stores them."""

    def update(theta, g, st, lr):
        t = st["t"] = st.get("t", 0) + 1
        eta, mu = st.get("eta", float(np.float32(lr))), st.get("mu", 1.0)
        d = (-g if maximize else g) + weight_decay * theta
        theta = theta * (1 - lambd * eta) - eta * d
        st["ax"] = theta.copy() if mu == 1 else st["ax"] + mu * (theta - st["ax"])
        st["eta"] = float(np.float32(lr / (1 + lambd * lr * t) ** alpha))
        st["mu"] = float(np.float32(1 / max(1, t - t0)))
        return theta

    return update


CASES = [
    ("adamax", Adamax, {"lr": 0.05}, adamax_reference, {}),
    (
        "adamax_options",
        Adamax,
        {"lr": 0.05, "betas": (0.8, 0.9), "eps": 0.05, "weight_decay": 0.1, "maximize": True},
        adamax_reference,
        {"betas": (0.8, 0.9), "eps": 0.05, "weight_decay": 0.1, "maximize": True},
    ),
    ("nadam", NAdam, {"lr": 0.05}, nadam_reference, {}),
    (
        "nadam_momentum_decay",
        NAdam,
        {"lr": 0.05, "momentum_decay": 0.3, "betas": (0.85, 0.99), "eps": 1e-3},
        nadam_reference,
        {"momentum_decay": 0.3, "betas": (0.85, 0.99), "eps": 1e-3},
    ),
    (
        "nadam_l2_max",
        NAdam,
        {"lr": 0.05, "weight_decay": 0.1, "maximize": True},
        nadam_reference,
        {"weight_decay": 0.1, "maximize": True},
    ),
    (
        "nadam_decoupled",
        NAdam,
        {"lr": 0.05, "weight_decay": 0.2, "decoupled_weight_decay": True},
        nadam_reference,
        {"weight_decay": 0.2, "decoupled": True},
    ),
    ("radam", RAdam, {"lr": 0.05}, radam_reference, {}),
    (
        "radam_options",
        RAdam,
        {"lr": 0.05, "betas": (0.8, 0.9), "eps": 1e-3, "weight_decay": 0.1, "maximize": True},
        radam_reference,
        {"betas": (0.8, 0.9), "eps": 1e-3, "weight_decay": 0.1, "maximize": True},
    ),
    ("rprop", Rprop, {"lr": 0.05}, rprop_reference, {}),
    (
        "rprop_options",
        Rprop,
        {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.2), "maximize": True},
        rprop_reference,
        {"etas": (0.3, 1.5), "step_sizes": (1e-3, 0.2), "maximize": True},
    ),
    ("asgd", ASGD, {"lr": 0.05}, asgd_reference, {}),
    (
        "asgd_options",
        ASGD,
        {"lr": 0.05, "lambd": 0.01, "alpha": 0.6, "t0": 5, "weight_decay": 0.1, "maximize": True},
        asgd_reference,
        {"lambd": 0.01, "alpha": 0.6, "t0": 5, "weight_decay": 0.1, "maximize": True},
    ),
    (
        "radam_decoupled",
        RAdam,
        {"lr": 0.05, "betas": (0.9, 0.95), "weight_decay": 0.2, "decoupled_weight_decay": True},
        radam_reference,
        {"betas": (0.9, 0.95), "weight_decay": 0.2, "decoupled": True},
    ),
]


@pytest.mark.parametrize(
    ("name", "cls", "kwargs", "ref", "ref_kwargs"), CASES, ids=[c[0] for c in CASES]
)
def test_matches_equations(name, cls, kwargs, ref, ref_kwargs):
    ours, _ = run_ours(lambda groups: cls(groups, **kwargs))
    reference = run_reference(ref(**ref_kwargs), kwargs["lr"])
    for step, (a, b) in enumerate(zip(ours, reference)):
        for i, (x, y) in enumerate(zip(a, b)):
            np.testing.assert_allclose(x, y, rtol=1e-11, atol=1e-14, err_msg=f"step {step} p{i}")


@pytest.mark.parametrize("b2", [0.9, 0.95, 0.999])
def test_radam_takes_both_branches_in_the_schedule(b2):
    """ρ_t ≤ 5 for t ≤ 5 and > 5 after, so the 25-step runs exercise both branches."""
    rho_inf = 2 / (1 - b2) - 1
    rhos = [rho_inf - 2 * t * b2**t / (1 - b2**t) for t in range(1, 9)]
    assert [r > 5 for r in rhos] == [False] * 5 + [True] * 3


def test_asgd_average_follows_the_iterates_after_t0():
    p = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    opt = ASGD([p], lr=0.1, t0=3)
    update, st, theta = asgd_reference(t0=3), {}, np.array([1.0, -2.0])
    iterates = []
    for step in range(10):
        g = gradient(step, 1)[:2]
        p.grad = Tensor(g)
        opt.step()
        theta = update(theta, g, st, 0.1)
        iterates.append(theta)
        np.testing.assert_allclose(opt.state[p]["ax"]._data, st["ax"], rtol=1e-13)
    # μ = 1 / max(1, t - t0) set after step t: ā is the plain mean of the iterates of steps
    # t0 + 2, t0 + 3, ... (1-based), here iterates[4:]
    np.testing.assert_allclose(st["ax"], np.mean(iterates[4:], axis=0), rtol=1e-6)
    assert not np.allclose(st["ax"], np.mean(iterates[3:], axis=0), rtol=1e-3)
    np.testing.assert_allclose(p._data, theta, rtol=1e-13)


def test_rprop_uses_only_the_sign():
    p = Tensor(np.array([0.0, 0.0]), requires_grad=True)
    q = Tensor(np.array([0.0, 0.0]), requires_grad=True)
    a, b = Rprop([p], lr=0.1), Rprop([q], lr=0.1)
    for g in ([1.0, -3.0], [2.0, 5.0], [0.5, 1.0]):
        p.grad = Tensor(np.array(g))
        q.grad = Tensor(np.array(g) * 1e4)
        a.step()
        b.step()
    np.testing.assert_array_equal(p._data, q._data)
    # element 0: three steps with the same sign, 0.1, 0.12, 0.144; element 1: a step of
    # 0.1 up, a flip (step size halved to 0.05, no move), then 0.05 down
    np.testing.assert_allclose(p._data, [-(0.1 + 0.12 + 0.144), 0.1 - 0.05], rtol=1e-14)


def test_radam_early_steps_are_momentum_sgd():
    p = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    opt = RAdam([p], lr=0.1)
    p.grad = Tensor(np.array([0.5, 4.0]))
    opt.step()  # t = 1: m̂ = d, so θ = θ - γ·d, whatever the gradient's scale
    np.testing.assert_allclose(p._data, [1.0 - 0.05, -2.0 - 0.4], rtol=1e-15)


def test_adamax_first_step_is_lr_times_sign():
    p = Tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True)
    opt = Adamax([p], lr=0.01, eps=0.0)
    p.grad = Tensor(np.array([1e-3, -50.0, 2.0]))
    opt.step()  # m̂ = d, u = |d|
    np.testing.assert_allclose(p._data, [0.99, -1.99, 2.99], rtol=1e-14)


@pytest.mark.parametrize(
    ("cls", "keys"),
    [
        (Adamax, ["step", "exp_avg", "exp_inf"]),
        (NAdam, ["step", "mu_product", "exp_avg", "exp_avg_sq"]),
        (RAdam, ["step", "exp_avg", "exp_avg_sq"]),
        (Rprop, ["step", "prev", "step_size"]),
        (ASGD, ["step", "eta", "mu", "ax"]),
    ],
)
def test_state_is_lazy_and_skips_parameters_without_grad(cls, keys):
    a = Tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    b = Tensor(np.ones(4), requires_grad=True)
    opt = cls([a, b])
    assert opt.state_dict()["state"] == {}
    a.grad = Tensor(np.ones((2, 3), dtype=np.float32))
    opt.step()
    opt.step()
    state = opt.state_dict()["state"]
    assert list(state) == [0] and list(state[0]) == keys
    assert state[0]["step"].dtype == np.float32 and float(state[0]["step"]._data) == 2.0
    buffer = state[0][keys[-1]]
    assert buffer.dtype == np.float32 and buffer.shape == (2, 3)
    assert a.dtype == np.float32
    np.testing.assert_array_equal(b._data, np.ones(4))


@pytest.mark.parametrize(
    ("name", "cls", "kwargs", "ref", "ref_kwargs"), CASES, ids=[c[0] for c in CASES]
)
def test_resume_from_state_dict_is_bit_identical(name, cls, kwargs, ref, ref_kwargs):
    straight, _ = run_ours(lambda groups: cls(groups, **kwargs))
    params = [Tensor(a, requires_grad=True) for a in initial_arrays()]
    groups = [{"params": params[:2]}, {"params": params[2:], "lr": GROUP1_LR}]
    opt = cls(groups, **kwargs)
    for step in range(STEPS):
        if step == 12:
            saved = copy.deepcopy(opt.state_dict())
            opt = cls([{"params": params[:2]}, {"params": params[2:]}], lr=123.0)
            opt.load_state_dict(saved)
            for group in opt.param_groups:
                group["lr"] *= 0.3
        for i, p in enumerate(params):
            p.grad = None if (step, i) in NO_GRAD else Tensor(gradient(step, i))
        opt.step()
    if cls is NAdam:
        # load_state_dict casts mu_product to the parameter's dtype, as PyTorch does: the
        # resumed run carries Π in float64 instead of float32
        assert opt.state[params[0]]["mu_product"].dtype == np.float64
        for x, y in zip(params, straight[-1]):
            np.testing.assert_allclose(x._data, y, rtol=1e-6)
        return
    for x, y in zip(params, straight[-1]):
        np.testing.assert_array_equal(x._data, y)


def test_nadam_loads_an_old_numeric_mu_product():
    p = Tensor(np.ones(2), requires_grad=True)
    opt = NAdam([p])
    p.grad = Tensor(np.ones(2))
    opt.step()
    saved = copy.deepcopy(opt.state_dict())
    saved["state"][0]["mu_product"] = float(saved["state"][0]["mu_product"]._data)
    fresh = NAdam([p])
    fresh.load_state_dict(saved)
    assert fresh.state[p]["mu_product"].dtype == np.float32
    fresh.step()


def test_nadam_mu_product_resume_dtype_matches_torch():
    torch = pytest.importorskip("torch")
    q = torch.ones(2, dtype=torch.float64, requires_grad=True)
    ref = torch.optim.NAdam([q])
    q.grad = torch.ones(2, dtype=torch.float64)
    ref.step()
    again = torch.optim.NAdam([q])
    again.load_state_dict(ref.state_dict())
    p = Tensor(np.ones(2), requires_grad=True)
    opt = NAdam([p])
    p.grad = Tensor(np.ones(2))
    opt.step()
    mine = NAdam([p])
    mine.load_state_dict(opt.state_dict())
    for key in ("step", "mu_product"):
        assert str(again.state[q][key].dtype) == "torch." + str(mine.state[p][key].dtype)


def _p():
    return [Tensor(np.ones(2), requires_grad=True)]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Adamax(_p(), lr=-1.0), "Invalid learning rate: -1.0"),
        (lambda: Adamax(_p(), eps=-1.0), "Invalid epsilon value: -1.0"),
        (lambda: Adamax(_p(), betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
        (lambda: Adamax(_p(), betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
        (lambda: Adamax(_p(), weight_decay=-1.0), "Invalid weight_decay value: -1.0"),
        (lambda: NAdam(_p(), momentum_decay=-1.0), "Invalid momentum_decay value: -1.0"),
        (lambda: NAdam(_p(), betas=(0.9, 1.0)), "Invalid beta parameter at index 1: 1.0"),
        (lambda: NAdam(_p(), lr=float("nan")), "Invalid learning rate: nan"),
        (lambda: RAdam(_p(), eps=-1e-8), "Invalid epsilon value: -1e-08"),
        (lambda: RAdam(_p(), weight_decay=-0.5), "Invalid weight_decay value: -0.5"),
        (lambda: SGD(_p(), nesterov=True), "Nesterov momentum requires"),
        (lambda: SGD(_p(), momentum=0.9, dampening=0.1, nesterov=True), "Nesterov momentum"),
        (lambda: Adamax([]), "optimizer got an empty parameter list"),
        (lambda: Rprop(_p(), etas=(0.5, 1.0)), "Invalid eta values: 0.5, 1.0"),
        (lambda: ASGD(_p(), weight_decay=-1.0), "Invalid weight_decay value: -1.0"),
    ],
)
def test_constructor_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("cls", [Adamax, NAdam, RAdam, Rprop, ASGD])
def test_foreach_is_accepted_and_differentiable_refused(cls):
    cls(_p(), foreach=True)
    cls(_p(), foreach=None, capturable=True)
    with pytest.raises(NotImplementedError, match="differentiable"):
        cls(_p(), differentiable=True)


@pytest.mark.parametrize("cls", [Adamax, NAdam, RAdam, Rprop, ASGD])
def test_step_bumps_the_version_and_leaves_grad_alone(cls):
    p = Tensor(np.ones(3), requires_grad=True)
    g = Tensor(np.array([1.0, -2.0, 3.0]))
    p.grad = g
    version = p._version
    cls([p], maximize=True).step()
    assert p._version > version
    np.testing.assert_array_equal(g._data, [1.0, -2.0, 3.0])


def test_exported():
    assert {"Adamax", "NAdam", "RAdam", "Rprop", "ASGD"} <= set(optim.__all__)


# ---- torch itself ---------------------------------------------------------------------------

TORCH_CASES = [(c[1].__name__, c[2]) for c in CASES] + [
    (
        "SGD",
        {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01, "maximize": True},
    ),
]


@pytest.mark.parametrize(("name", "kwargs"), TORCH_CASES)
def test_matches_torch_step_by_step(name, kwargs):
    torch = pytest.importorskip("torch")
    start = initial_arrays()
    theirs = [torch.tensor(a, requires_grad=True) for a in start]
    ref = getattr(torch.optim, name)(
        [{"params": theirs[:2]}, {"params": theirs[2:], "lr": GROUP1_LR}], **kwargs
    )
    ours, opt = run_ours(lambda groups: getattr(optim, name)(groups, **kwargs))
    for step in range(STEPS):
        if step == 12:
            for group in ref.param_groups:
                group["lr"] *= 0.3
        for i, q in enumerate(theirs):
            q.grad = None if (step, i) in NO_GRAD else torch.tensor(gradient(step, i))
        ref.step()
        for x, q in zip(ours[step], theirs):
            np.testing.assert_allclose(x, q.detach().numpy(), rtol=1e-12, atol=1e-15)

    ours_sd, theirs_sd = opt.state_dict(), ref.state_dict()
    assert ours_sd["param_groups"] == theirs_sd["param_groups"]
    assert list(ours_sd["state"]) == list(theirs_sd["state"])
    for i, state in theirs_sd["state"].items():
        assert list(ours_sd["state"][i]) == list(state)
        for key, value in state.items():
            mine = ours_sd["state"][i][key]
            assert mine.dtype == np.dtype(str(value.dtype).removeprefix("torch."))
            np.testing.assert_allclose(mine._data, value.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", ["Adamax", "NAdam", "RAdam", "Rprop", "ASGD"])
def test_fresh_param_groups_match_torch(name):
    torch = pytest.importorskip("torch")
    ours = getattr(optim, name)(_p()).state_dict()
    theirs = getattr(torch.optim, name)([torch.ones(2, requires_grad=True)]).state_dict()
    assert ours == theirs


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("Adamax", {"lr": -1.0}),
        ("Adamax", {"betas": (1.0, 0.5)}),
        ("NAdam", {"momentum_decay": -0.1}),
        ("NAdam", {"eps": -1.0}),
        ("RAdam", {"betas": (0.9, 1.5)}),
        ("RAdam", {"weight_decay": -0.1}),
        ("Rprop", {"etas": (1.0, 1.2)}),
        ("Rprop", {"etas": (0.5, 0.9)}),
        ("Rprop", {"lr": -0.1}),
        ("ASGD", {"lr": -0.1}),
        ("ASGD", {"weight_decay": -0.1}),
        ("SGD", {"momentum": 0.5, "dampening": 0.5, "nesterov": True}),
        ("SGD", {"nesterov": True}),
    ],
)
def test_error_messages_match_torch(name, kwargs):
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)([torch.ones(2, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError) as ours:
        getattr(optim, name)(_p(), **kwargs)
    assert str(ours.value) == str(theirs.value)
