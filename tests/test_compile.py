"""``tinygrad_edu.compile``: a replayed step must be bitwise the eager step, or not replay.

Every equivalence test runs the same steps twice from the same start, eagerly and compiled,
and compares the parameters (and losses) bit for bit; it also checks that the compiled run
really replayed its program (``replays``), so a silent fall back to eager cannot pass.
The MLP is the MNIST one (784-128-40-10) on random batches of MNIST's shape.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn
from tinygrad_edu.capture import GraphBreak

STEPS = 8
BATCH = 32
RNG = np.random.default_rng(0)
X = RNG.standard_normal((STEPS, BATCH, 784)).astype(np.float32)
LABELS = RNG.integers(0, 10, (STEPS, BATCH))
ONEHOT = np.eye(10, dtype=np.float32)[LABELS]

OPTIMIZERS = {
    "adam": lambda ps: tg.optim.Adam(ps, lr=1e-3, betas=(0.9, 0.99), eps=1e-8),
    "adamw": lambda ps: tg.optim.AdamW(ps, lr=1e-3, weight_decay=0.1),
    "adam-amsgrad-decay": lambda ps: tg.optim.Adam(ps, amsgrad=True, weight_decay=0.01),
    "sgd-momentum": lambda ps: tg.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
    "rmsprop": lambda ps: tg.optim.RMSprop(ps, lr=1e-3, momentum=0.5),
}


def mlp(dropout: float = 0.0) -> nn.Module:
    middle = [nn.Dropout(dropout)] if dropout else []
    return nn.Sequential(
        nn.Linear(784, 128), nn.ReLU(), *middle, nn.Linear(128, 40), nn.ReLU(), nn.Linear(40, 10)
    )


def setup(optimizer="adam", loss="mse", dropout=0.0, scheduler=False, seed=0):
    """A model, its optimizer and a training step function (zero_grad, forward, loss,
    backward, step), all made from ``seed``."""
    tg.manual_seed(seed)
    model = mlp(dropout)
    opt = OPTIMIZERS[optimizer](model.parameters())
    sched = tg.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5) if scheduler else None

    def step(x, y, onehot):
        opt.zero_grad()
        logits = model(x)
        if loss == "ce":
            value = F.cross_entropy(logits, y)
        else:
            value = F.mse_loss(logits.softmax(dim=1), onehot)
        value.backward()
        opt.step()
        if sched is not None:
            sched.step()
        return value

    return model, opt, step


def batches(order=None, sizes=None):
    for i in order if order is not None else range(STEPS):
        n = BATCH if sizes is None else sizes[i]
        yield tg.tensor(X[i, :n]), tg.tensor(LABELS[i, :n]), tg.tensor(ONEHOT[i, :n])


def train(step, order=None, sizes=None, seed=1):
    tg.manual_seed(seed)  # the stream dropout draws from
    return [step(*b) for b in batches(order, sizes)]


def params(model):
    return [p.detach().numpy().copy() for p in model.parameters()]


def assert_bitwise(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y, strict=True)


def eager_and_compiled(order=None, sizes=None, **kwargs):
    m1, _, eager = setup(**kwargs)
    m2, _, step = setup(**kwargs)
    compiled = tg.compile(step)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no graph break
        losses1 = train(eager, order, sizes)
        losses2 = train(compiled, order, sizes)
    return (m1, losses1), (m2, losses2), compiled


# ---------------------------------------------------------------------------- equivalence
@pytest.mark.parametrize("loss", ["mse", "ce"])
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_compiled_steps_are_bitwise_the_eager_steps(optimizer, loss):
    (m1, l1), (m2, l2), compiled = eager_and_compiled(optimizer=optimizer, loss=loss)
    assert compiled.replays == STEPS - 2  # eager, capture, then replays
    assert_bitwise(params(m1), params(m2))
    assert [v.item() for v in l1] == [v.item() for v in l2]
    for p1, p2 in zip(m1.parameters(), m2.parameters()):  # .grad as eager leaves it
        np.testing.assert_array_equal(p1.grad.numpy(), p2.grad.numpy())


def test_dropout_draws_are_part_of_the_program():
    (m1, _), (m2, _), compiled = eager_and_compiled(dropout=0.3)
    assert compiled.replays == STEPS - 2
    assert ".rng.random(" in compiled.code
    assert_bitwise(params(m1), params(m2))


def test_a_scheduler_inside_the_step_is_replayed():
    (m1, _), (m2, _), compiled = eager_and_compiled(scheduler=True)
    assert compiled.replays == STEPS - 2
    assert "steplr_step" in compiled.code
    assert_bitwise(params(m1), params(m2))


def test_a_scheduler_outside_the_step_changes_the_lr_the_replay_uses():
    results = []
    for use_compile in (False, True):
        model, opt, step = setup()
        sched = tg.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
        step = tg.compile(step) if use_compile else step
        for b in batches():
            step(*b)
            sched.step()
        results.append(params(model))
    assert_bitwise(*results)


def test_a_short_last_batch_gets_its_own_program():
    sizes = [BATCH, BATCH, BATCH, 7, BATCH, BATCH, 7, 7]
    (m1, _), (m2, _), compiled = eager_and_compiled(sizes=sizes)
    assert len(compiled.programs) == 2
    assert compiled.replays == 5  # eager; capture 32; 32; capture 7; 32, 32, 7, 7
    assert_bitwise(params(m1), params(m2))


def test_every_optimizer_of_optim_works_under_compile():
    names = ["Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "ASGD", "NAdam", "RAdam"]
    names += ["RMSprop", "Rprop", "SGD"]
    for name in names:
        OPTIMIZERS[name] = lambda ps, name=name: getattr(tg.optim, name)(ps, lr=1e-2)
        try:
            (m1, _), (m2, _), compiled = eager_and_compiled(optimizer=name)
        finally:
            del OPTIMIZERS[name]
        assert compiled.replays == STEPS - 2, name
        assert_bitwise(params(m1), params(m2))


def test_negative_control_another_batch_order_differs():
    m1, _, eager = setup()
    m2, _, step = setup()
    train(eager)
    train(tg.compile(step), order=list(reversed(range(STEPS))))
    assert any(not np.array_equal(a, b) for a, b in zip(params(m1), params(m2)))


def test_the_optimizer_state_is_the_eager_state():
    _, o1, eager = setup()
    _, o2, step = setup()
    train(eager)
    train(tg.compile(step))
    s1, s2 = o1.state_dict(), o2.state_dict()
    for i in s1["state"]:
        for key in ("step", "exp_avg", "exp_avg_sq"):
            np.testing.assert_array_equal(s1["state"][i][key].numpy(), s2["state"][i][key].numpy())


def test_the_returned_loss_is_safe_to_keep():
    (_, l1), (_, l2), _ = eager_and_compiled()
    assert len({v.item() for v in l2}) == STEPS  # not one buffer overwritten by each replay
    assert [v.item() for v in l1] == [v.item() for v in l2]


def test_the_program_is_straight_line_numpy():
    _, _, compiled = eager_and_compiled()
    code = compiled.code
    assert code.startswith("def step(x0, x1, x2):")
    assert "np.matmul(" in code and "adam_step0(" in code
    assert "Tensor" not in code and "for " not in code
    with pytest.raises(AttributeError):
        compiled.code = ""  # read-only


# ---------------------------------------------------------------------------- guards
def test_assigning_p_data_after_capture_recaptures():
    results = []
    for use_compile in (False, True):
        model, _, step = setup()
        step = tg.compile(step) if use_compile else step
        all_batches = list(batches())
        for b in all_batches[:4]:
            step(*b)
        first = next(iter(model.parameters()))
        first.data = tg.zeros(first.shape)  # a new array: the program's is stale
        for b in all_batches[4:]:
            step(*b)
        if use_compile:
            assert len(step.programs) == 1 and step.replays == 2 + 3  # recaptured once
        results.append(params(model))
    assert_bitwise(*results)


def test_loading_optimizer_state_after_capture_recaptures():
    results = []
    for use_compile in (False, True):
        model, opt, step = setup()
        saved = opt.state_dict()
        step = tg.compile(step) if use_compile else step
        all_batches = list(batches())
        for b in all_batches[:4]:
            step(*b)
        opt.load_state_dict(saved)  # new state tensors: the flat buffers no longer hold them
        for b in all_batches[4:]:
            step(*b)
        results.append(params(model) + [opt.state_dict()["state"][0]["exp_avg"].numpy()])
    assert_bitwise(*results)


def test_train_and_eval_modes_get_their_own_programs():
    results = []
    for use_compile in (False, True):
        model, _, step = setup(dropout=0.5)
        step = tg.compile(step) if use_compile else step
        tg.manual_seed(5)
        for i, b in enumerate(batches()):
            model.train(i % 2 == 0)
            step(*b)
        if use_compile:
            assert len(step.programs) == 2
        results.append(params(model))
    assert_bitwise(*results)


def test_a_new_dtype_gets_its_own_program():
    def f(x):
        return (x * 2).sum()

    compiled = tg.compile(f)
    for dtype in (np.float32, np.float32, np.float32, np.float64, np.float64, np.float64):
        out = compiled(tg.tensor(X[0, :2].astype(dtype)))
        assert out.dtype == dtype and out.item() == f(tg.tensor(X[0, :2].astype(dtype))).item()
    assert len(compiled.programs) == 2 and compiled.replays == 3


# ---------------------------------------------------------------------------- graph breaks
def test_reading_a_value_in_python_is_a_graph_break_then_eager():
    m1, _, eager = setup()
    m2, _, step = setup()

    def logged(x, y, onehot):
        return step(x, y, onehot).item()  # Python reads the loss

    compiled = tg.compile(logged)
    with pytest.warns(UserWarning, match=r"graph break in logged: .*\(item\)"):
        values = [compiled(*b) for b in batches()]
    assert compiled.replays == 0
    assert values == [eager(*b).item() for b in batches()]
    assert_bitwise(params(m1), params(m2))


def test_fullgraph_turns_a_graph_break_into_an_error():
    _, _, step = setup()

    def branchy(x, y, onehot):
        loss = step(x, y, onehot)
        if loss > 0.5:  # a decision on a traced value
            return loss * 2
        return loss

    compiled = tg.compile(branchy, fullgraph=True)
    b = list(batches())
    compiled(*b[0])  # the eager first call
    with pytest.raises(GraphBreak, match="bool"):
        compiled(*b[1])


def test_a_value_guard_falls_back_to_eager_when_the_labels_change_kind():
    # cross_entropy checks "every label counts" (no ignore_index): a value guard. A batch
    # with an ignored label takes the other path, eagerly.
    def run(use_compile):
        model, opt, _ = setup()

        def step(x, y):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y, ignore_index=3)
            loss.backward()
            opt.step()
            return loss

        step = tg.compile(step) if use_compile else step
        labels = np.where(LABELS == 3, 4, LABELS)
        labels[5, 0] = 3  # one batch holds an ignored label
        losses = [step(tg.tensor(X[i]), tg.tensor(labels[i])).item() for i in range(STEPS)]
        return step, losses, params(model)

    compiled, l2, p2 = run(True)
    _, l1, p1 = run(False)
    assert "return None" in compiled.code  # the guard, checked before anything runs
    assert compiled.replays == STEPS - 3
    assert l1 == l2
    assert_bitwise(p1, p2)


def hooked_setup(kind):
    model, opt, _ = setup()
    first = next(iter(model.parameters()))
    if kind == "param hook":
        first.register_hook(lambda g: g * 0.5)

    def step(x, onehot):
        opt.zero_grad()
        loss = F.mse_loss(model(x).softmax(dim=1), onehot)
        if kind == "create_graph":
            (g,) = tg.autograd.grad(loss, [first], create_graph=True)
            (g * g).sum().backward()
        else:
            loss.backward()
        opt.step()
        return loss

    return model, step


@pytest.mark.parametrize("kind", ["param hook", "anomaly", "create_graph"])
def test_hooks_anomaly_mode_and_create_graph_run_eagerly(kind):
    results = []
    for use_compile in (False, True):
        model, step = hooked_setup(kind)
        compiled = tg.compile(step) if use_compile else step
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            with tg.autograd.set_detect_anomaly(kind == "anomaly"):
                for x, _, onehot in batches():
                    compiled(x, onehot)
        if use_compile:
            assert compiled.replays == 0
        results.append(params(model))
    assert_bitwise(*results)


# ---------------------------------------------------------------------------- the API
def test_torch_compile_signature():
    def f(x):
        return x * 2

    assert tg.compile(f, disable=True) is f
    for backend in ("inductor", "eager", "aot_eager"):
        assert tg.compile(f, backend=backend, dynamic=True, fullgraph=False)(tg.ones(2)).sum() == 4
    decorated = tg.compile(mode="reduce-overhead")(f)
    assert decorated.__wrapped__ is f
    with pytest.raises(RuntimeError, match="Unrecognized mode=fast"):
        tg.compile(f, mode="fast")
    with pytest.raises(RuntimeError, match="Either mode or options"):
        tg.compile(f, mode="default", options={})
    with pytest.raises(AssertionError, match="A callable function is expected"):
        tg.compile(3)  # (as PyTorch: an AssertionError)


def test_a_function_without_tensors_or_an_optimizer_replays():
    w = tg.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)

    def f(x):
        y = (x @ w.T).relu().sum()
        y.backward()
        return y

    compiled = tg.compile(f)
    expected = []
    for i in range(4):
        x = tg.tensor(np.full((4, 3), float(i)))
        w.grad = None
        out = compiled(x)
        expected.append((out.item(), w.grad.numpy().copy()))
    for i, (value, grad) in enumerate(expected):
        w.grad = None
        x = tg.tensor(np.full((4, 3), float(i)))
        assert f(x).item() == value
        np.testing.assert_array_equal(w.grad.numpy(), grad)
    assert compiled.replays == 2


# ---------------------------------------------------------------------------- compile(model)
def train_module(use_compile, loss="ce", dropout=0.2, steps=STEPS):
    model, opt, _ = setup(dropout=dropout)
    net = tg.compile(model) if use_compile else model
    tg.manual_seed(1)
    losses = []
    for x, y, onehot in list(batches())[:steps]:
        opt.zero_grad()
        logits = net(x)
        value = F.cross_entropy(logits, y) if loss == "ce" else F.mse_loss(logits, onehot)
        value.backward()
        opt.step()
        losses.append(value.item())
    return net, model, losses


@pytest.mark.parametrize("loss", ["mse", "ce"])
def test_a_compiled_model_captures_forward_and_backward(loss):
    net, m2, l2 = train_module(True, loss)
    _, m1, l1 = train_module(False, loss)
    assert net.replays == STEPS - 2
    assert "def forward(x0):" in net.code and "def backward(x0," in net.code
    assert l1 == l2
    assert_bitwise(params(m1), params(m2))


def test_a_compiled_model_is_the_model():
    net, model, _ = train_module(True, steps=3)
    assert list(net.state_dict()) == ["_orig_mod." + k for k in model.state_dict()]
    assert net._orig_mod is model and net.training  # (not subscriptable, as in PyTorch)
    model.custom = "here"
    assert net.custom == "here"  # attributes reach the model
    assert [id(p) for p in net.parameters()] == [id(p) for p in model.parameters()]


def test_a_second_call_before_backward_runs_eagerly():
    # the buffers of the first output's backward must not be overwritten
    results = []
    for use_compile in (False, True):
        model, opt, _ = setup()
        net = tg.compile(model) if use_compile else model
        for i, (x, y, _) in enumerate(batches()):
            opt.zero_grad()
            other = list(batches())[(i + 1) % STEPS][0]
            loss = F.cross_entropy(net(x), y) + 0.5 * net(other).square().mean()
            loss.backward()
            opt.step()
        results.append(params(model))
    assert_bitwise(*results)


def test_a_compiled_model_under_no_grad_and_with_an_input_that_requires_grad():
    model, _, _ = setup()
    net = tg.compile(model)
    x = tg.tensor(X[0])
    with tg.no_grad():
        outs = [net(x) for _ in range(4)]
    assert all(o.grad_fn is None for o in outs)
    np.testing.assert_array_equal(outs[-1].numpy(), model(x).detach().numpy())
    grads = []
    for _ in range(4):
        x = tg.tensor(X[1], requires_grad=True)
        net(x).sum().backward()
        grads.append(x.grad.numpy())
    x = tg.tensor(X[1], requires_grad=True)
    model(x).sum().backward()
    for g in grads:
        np.testing.assert_array_equal(g, x.grad.numpy())


def test_the_readme_shows_the_program_its_example_prints():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("## Compiling a training step", 1)[1]
    example = section.split("```python\n", 1)[1].split("```", 1)[0]
    shown = section.split("```text\n", 1)[1].split("```", 1)[0]
    namespace = {"tg": tg, "nn": nn, "F": F, "print": lambda *a: None}
    tg.manual_seed(0)
    namespace.update(x=tg.randn(16, 4), y=tg.randn(16, 3))
    exec(example, namespace)
    without_comments = "\n".join(line.split("  #")[0].rstrip() for line in shown.splitlines())
    assert namespace["train_step"].code.strip() == without_comments.strip()
    assert namespace["train_step"].replays == 98


def test_the_mnist_cnn_compiles_bitwise():
    # max_pool2d asks "is there a nan?" before anything lasting happened: a value guard
    # checked in place (a nan there would make that call run eagerly)
    import importlib.util

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("mnist_cnn", root / "examples" / "mnist_cnn.py")
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    images = RNG.standard_normal((5, 4, 1, 28, 28)).astype(np.float32)
    results = []
    for use_compile in (False, True):
        tg.manual_seed(0)
        model = example.Net()
        opt = tg.optim.Adadelta(model.parameters(), lr=1.0)

        def step(x, y, model=model, opt=opt):
            opt.zero_grad()
            loss = F.nll_loss(model(x), y)
            loss.backward()
            opt.step()
            return loss

        compiled = tg.compile(step) if use_compile else step
        tg.manual_seed(1)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            losses = [compiled(tg.tensor(images[i]), tg.tensor(LABELS[i, :4])) for i in range(5)]
        if use_compile:
            assert compiled.replays == 3 and "return None" in compiled.code
        results.append([v.item() for v in losses] + params(model))
    assert results[0][:5] == results[1][:5]
    assert_bitwise(results[0][5:], results[1][5:])


# ---------------------------------------------------------------------------- adversarial
# Cases a careless or hostile user would try (found by review): each must give bitwise the
# eager results, by replaying correctly, capturing again or running eagerly.
SMALL_X = RNG.standard_normal((8, 16, 5)).astype(np.float32)
SMALL_Y = RNG.standard_normal((8, 16, 1)).astype(np.float32)


def state_of(objects):
    """Everything observable of models, optimizers and tensors, as plain values."""
    out = []
    for o in objects:
        if isinstance(o, nn.Module):
            out += [v.numpy().copy() for v in o.state_dict().values()]
            for p in o.parameters():
                out += [None if p.grad is None else p.grad.numpy().copy(), p._version]
        elif isinstance(o, tg.optim.Optimizer):
            for s in o.state_dict()["state"].values():
                out += [v.numpy().copy() if isinstance(v, tg.Tensor) else v for v in s.values()]
        elif isinstance(o, tg.Tensor):
            out += [o.detach().numpy().copy(), o._version]
            out += [None if o.grad is None else o.grad.numpy().copy()]
    return out


def eager_vs_compiled(make, data=lambda i: (SMALL_X[i], SMALL_Y[i]), n=7, between=None):
    runs = []
    for use_compile in (False, True):
        tg.manual_seed(0)
        step, objects = make()
        f = tg.compile(step) if use_compile else step
        tg.manual_seed(123)
        outs = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for i in range(n):
                if between is not None:
                    between(i, objects)
                result = f(*[tg.tensor(a) for a in data(i)])
                outs.append(
                    result.detach().numpy().copy() if isinstance(result, tg.Tensor) else result
                )
        runs.append((outs, state_of(objects), f))
    (o1, s1, _), (o2, s2, compiled) = runs
    for a, b in zip(o1 + s1, o2 + s2):
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b, strict=True)
        else:
            assert a == b
    return compiled


def linear_step(body):
    def make():
        model = nn.Linear(5, 1)
        opt = tg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        return (lambda x, y: body(model, opt, x, y)), [model, opt]

    return make


def mse_step(model, opt, x, y):
    opt.zero_grad()
    loss = F.mse_loss(model(x), y)
    loss.backward()
    opt.step()
    return loss


def test_data_made_inside_the_step_is_a_graph_break():
    def make():
        counter = {"i": 0}

        def body(model, opt, x, y):
            counter["i"] += 1
            batch = tg.tensor(SMALL_X[counter["i"] % 8])  # not an argument: it changes
            return mse_step(model, opt, batch, y)

        return linear_step(body)()

    assert eager_vs_compiled(make).replays == 0


def test_a_tensor_read_from_a_changing_global_is_not_frozen():
    global CURRENT
    CURRENT = tg.tensor(SMALL_X[0])

    def body(model, opt, x, y):
        return mse_step(model, opt, CURRENT, y)

    def between(i, objects):
        global CURRENT
        CURRENT = tg.tensor(SMALL_X[i])  # a new tensor each call

    eager_vs_compiled(linear_step(body), between=between)


def test_python_state_the_step_changes_is_a_graph_break():
    def make():
        cfg = {"w": 1.0}

        def body(model, opt, x, y):
            opt.zero_grad()
            loss = F.mse_loss(model(x), y) * cfg["w"]
            loss.backward()
            opt.step()
            cfg["w"] *= 0.5  # Python state: no program could replay this
            return loss

        return linear_step(body)()

    assert eager_vs_compiled(make).replays == 0


def test_python_values_changed_between_calls_are_guarded():
    def make():
        model = nn.Sequential(nn.Linear(5, 4), nn.Dropout(0.5), nn.Linear(4, 1))
        opt = tg.optim.Adam(model.parameters(), lr=0.01)
        return (lambda x, y: mse_step(model, opt, x, y)), [model, opt]

    def between(i, objects):
        objects[0][1].p = [0.5, 0.5, 0.5, 0.2, 0.2, 0.0, 0.0][i]  # a dropout schedule
        if i == 4:
            objects[0][0].weight.requires_grad = False  # frozen after capture

    compiled = eager_vs_compiled(make, between=between)
    assert compiled.replays >= 1


def test_in_place_updates_move_version_counters_as_eager():
    def body(model, opt, x, y):
        loss = F.mse_loss(model(x), y)
        loss.backward()
        with tg.no_grad():
            for p in model.parameters():
                p -= 0.1 * p.grad  # plain SGD by hand
                p.grad = None
        return loss

    compiled = eager_vs_compiled(linear_step(body))
    assert compiled.replays == 5


def test_an_argument_that_requires_grad_gets_its_grad():
    w = tg.tensor(np.ones((5, 1), np.float32), requires_grad=True)
    grads = []
    for use_compile in (False, True):

        def f(x):
            (x @ w).square().sum().backward()

        f = tg.compile(f) if use_compile else f
        got = []
        for i in range(5):
            x = tg.tensor(SMALL_X[i], requires_grad=True)
            f(x)
            got.append(x.grad.numpy().copy())
        grads.append(got)
    assert_bitwise(*grads)


def test_random_draws_from_any_generator_and_numpy():
    def make():
        gen = tg.Generator().manual_seed(3)

        def body(model, opt, x, y):
            noise = tg.randn(x.shape, generator=gen) * 0.1  # its own generator: drawn anew
            return mse_step(model, opt, x + noise, y)

        return linear_step(body)()

    assert eager_vs_compiled(make).replays == 5

    def numpy_noise(model, opt, x, y):
        noise = np.random.standard_normal(x.shape).astype(np.float32)
        return mse_step(model, opt, x + tg.tensor(noise), y)

    def make_numpy():
        np.random.seed(0)
        return linear_step(numpy_noise)()

    assert eager_vs_compiled(make_numpy).replays == 0  # NumPy's global stream: a graph break


def test_results_of_the_capturing_call_are_not_overwritten():
    w = tg.tensor(np.ones((5, 2), np.float32), requires_grad=True)

    def f(x):
        y = (x @ w).relu()
        loss = y.sum()
        loss.backward()
        return loss, y * 2

    compiled = tg.compile(f)
    kept = [compiled(tg.tensor(SMALL_X[i])) for i in range(5)]
    for i, (loss, y2) in enumerate(kept):
        expected = (tg.tensor(SMALL_X[i]) @ w.detach()).relu()
        assert loss.item() == expected.sum().item()
        np.testing.assert_array_equal(y2.detach().numpy(), (expected * 2).numpy())


def test_shapes_that_depend_on_values_are_a_graph_break():
    def body(model, opt, x, y):
        opt.zero_grad()
        out = model(x).reshape(-1)
        keep = y.reshape(-1) > 0  # how many are True changes from batch to batch
        loss = F.mse_loss(out[keep], y.reshape(-1)[keep])
        loss.backward()
        opt.step()
        return loss

    assert eager_vs_compiled(linear_step(body)).replays == 0


def test_zero_grad_without_set_to_none_and_batch_norm():
    def body(model, opt, x, y):
        opt.zero_grad(set_to_none=False)  # writes into .grad before any op reads it
        loss = F.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        return loss

    assert eager_vs_compiled(linear_step(body)).replays == 5

    def make():
        model = nn.Sequential(nn.Linear(5, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 1))
        opt = tg.optim.Adam(model.parameters(), lr=0.01)
        return (lambda x, y: mse_step(model, opt, x, y)), [model, opt]

    assert eager_vs_compiled(make).replays == 5  # the running stats are traced too


def test_formatting_a_traced_value_is_a_graph_break():
    def body(model, opt, x, y):
        loss = mse_step(model, opt, x, y)
        return f"{loss.detach().numpy():.6f}"

    assert eager_vs_compiled(linear_step(body)).replays == 0


def test_a_returned_view_is_not_overwritten_by_buffer_reuse():
    def body(model, opt, x, y):
        opt.zero_grad()
        logits = model(x)
        first = logits.T  # a view, taken before the loss reuses buffers
        loss = F.mse_loss(logits, y)
        loss.backward()
        opt.step()
        return first

    assert eager_vs_compiled(linear_step(body)).replays == 5


SCALE = 2.0


class Scaled(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Linear(5, 1)
        self._temperature = 1.0

    def forward(self, x):
        return self.net(x) * SCALE / self._temperature


def test_numbers_read_in_forward_and_config_objects_are_guarded():
    from types import SimpleNamespace

    def make():
        model = Scaled()
        opt = tg.optim.SGD(model.parameters(), lr=0.1)
        cfg = SimpleNamespace(w=1.0, weights=[1.0, 0.5], k=np.float32(1))

        def step(x, y):
            opt.zero_grad()
            loss = F.mse_loss(model(x), y) * cfg.w * cfg.weights[0] * float(cfg.k)
            loss.backward()
            opt.step()
            return loss

        step.cfg = cfg
        return step, [model, opt]

    def between(i, objects):
        global SCALE
        SCALE = [2.0, 2.0, 2.0, 1.0, 1.0, 1.0, 0.5][i]
        objects[0]._temperature = [1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0][i]

    try:
        eager_vs_compiled(make, between=between)
    finally:
        globals()["SCALE"] = 2.0


def test_an_eager_step_of_the_same_optimizer_between_replays():
    # a head-only eager step advances some of Adam's step counts: the flat step must not
    # use one count for all
    results = []
    for use_compile in (False, True):
        model, opt, step = setup()
        step = tg.compile(step) if use_compile else step
        for i, b in enumerate(batches()):
            step(*b)
            if i == 3:
                opt.zero_grad()
                model[4](tg.tensor(np.ones((2, 40), np.float32))).sum().backward()
                opt.step()
        results.append(params(model))
    assert_bitwise(*results)


def test_a_train_step_and_an_eval_step_compiled_side_by_side():
    runs = []
    for use_compile in (False, True):
        model, _, train_step = setup()

        def evaluate(x, model=model):
            with tg.no_grad():
                return model(x).sum() * 0.5

        train = tg.compile(train_step) if use_compile else train_step
        ev = tg.compile(evaluate) if use_compile else evaluate
        out = []
        for x, y, onehot in batches():
            out.append(train(x, y, onehot).item())
            out.append(ev(x).item())
        runs.append((out, params(model), [p.grad.numpy().copy() for p in model.parameters()]))
    assert runs[0][0] == runs[1][0]
    assert_bitwise(runs[0][1] + runs[0][2], runs[1][1] + runs[1][2])


def test_a_compiled_model_whose_forward_multiplies_by_a_number():
    runs = []
    for use_compile in (False, True):
        tg.manual_seed(0)
        model = Scaled()
        net = tg.compile(model) if use_compile else model
        opt = tg.optim.SGD(model.parameters(), lr=0.1)
        losses = []
        for i in range(6):
            opt.zero_grad()
            loss = F.mse_loss(net(tg.tensor(SMALL_X[i])), tg.tensor(SMALL_Y[i]))
            loss.backward()
            opt.step()
            losses.append(loss.item())
        runs.append((losses, params(model)))
    assert runs[0][0] == runs[1][0]
    assert_bitwise(runs[0][1], runs[1][1])
    assert net.replays == 4
