"""viz.to_html's page in a real browser: headless Chromium, driven by Playwright.

A test opens the written file, clicks vertices and reads the side panel as a learner would,
steps the backward player through every step, and saves a screenshot under its temp dir.
Skipped, with the reason, where Playwright's Python package or a Chromium is missing
(Debian: ``apt-get install chromium``; another browser binary: ``TINYGRAD_EDU_CHROMIUM``).
Playwright's own browser download is never used: the system Chromium is started directly.
"""

from __future__ import annotations

import os
import re
import shutil

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.autograd import engine
from tinygrad_edu.viz import record_backward, to_html

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium() -> str | None:
    names = [os.environ.get("TINYGRAD_EDU_CHROMIUM"), "chromium", "chromium-browser"]
    names += ["google-chrome", "google-chrome-stable"]
    for name in names:
        if name and shutil.which(name):
            return shutil.which(name)
    return None


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """One headless Chromium for the module, with a fresh profile directory."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright Python package is not installed (pip install playwright)")
    executable = find_chromium()
    if executable is None:
        pytest.skip(
            "no Chromium found (Debian: apt-get install chromium; or set TINYGRAD_EDU_CHROMIUM)"
        )
    with sync_playwright() as pw:
        try:
            context = pw.chromium.launch_persistent_context(
                str(tmp_path_factory.mktemp("chromium-profile")),
                executable_path=executable,
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": 1280, "height": 800},
            )
        except Exception as err:  # e.g. a broken install: say so, do not fail the suite
            pytest.skip(f"Chromium at {executable} could not be started: {err}")
        yield context
        context.close()


@pytest.fixture
def open_page(browser):
    """open_page(path) -> the page, loaded; any script error or outside request fails."""
    pages, problems = [], []

    def open_(path):
        page = browser.new_page()
        page.on("pageerror", lambda err: problems.append(f"script error: {err}"))
        page.on(
            "request",
            lambda r: None if r.url.startswith("file://") else problems.append(r.url),
        )
        page.goto(path.resolve().as_uri())
        pages.append(page)
        return page

    yield open_
    for page in pages:
        page.close()
    assert problems == []


NUMBER = re.compile(r"-?(?:\d+\.?\d*(?:e[-+]?\d+)?|nan|inf)")


def numbers(text: str) -> np.ndarray:
    return np.array([float(s) for s in NUMBER.findall(text)])


def vertex_index(page, label: str) -> int:
    labels = page.evaluate("DATA.vertices.map((v) => v.label[0])")
    assert labels.count(label) == 1, (label, labels)
    return labels.index(label)


def click(page, label: str) -> None:
    page.click(f'g.vertex[data-index="{vertex_index(page, label)}"]')


def shown_grad(page, label: str) -> np.ndarray:
    """Click the vertex, read the gradient the panel shows."""
    click(page, label)
    return numbers(page.inner_text("#panel-grad"))


def test_clicking_a_vertex_shows_op_formula_shapes_values_and_the_grad(open_page, tmp_path):
    x = tg.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
    w = tg.tensor([[0.25, -1.5], [2.0, 0.125]], requires_grad=True)
    x.name, w.name = "x", "<w> & co"
    y = ((x @ w).tanh() + x).sum()  # x is used twice
    path = to_html(y, tmp_path / "click.html")
    y.backward()  # to_html ran its own backward without touching .grad; now the real one
    page = open_page(path)
    for t, label in [(x, "x"), (w, "<w> & co")]:
        shown = shown_grad(page, label)
        np.testing.assert_allclose(shown, t.grad.numpy().ravel(), rtol=1e-5, atol=1e-6)
        assert page.inner_text("#panel h2") == label
        assert "leaf tensor (requires grad)" in page.inner_text("#panel")
        value = numbers(page.inner_text("#panel-value"))
        np.testing.assert_allclose(value, t.detach().numpy().ravel())
    arrivals = page.locator("#panel ol.arrivals li")  # x: from AddBackward, then MatmulBackward
    click(page, "x")
    assert arrivals.count() == 2
    assert "AddBackward sends [[1, 1]," in arrivals.nth(0).inner_text()
    assert "MatmulBackward sends" in arrivals.nth(1).inner_text()
    click(page, "MatmulBackward")
    panel = page.inner_text("#panel")
    assert "Z = X @ Y.   dL/dX = dL/dZ @ Y^T,   dL/dY = X^T @ dL/dZ." in panel
    assert "x: (2, 2) float32" in panel and "<w> & co: (2, 2) float32" in panel
    assert "output (2, 2) float32" in panel
    np.testing.assert_allclose(
        numbers(page.inner_text("#panel-value")), (x @ w).detach().numpy().ravel(), rtol=1e-5
    )
    click(page, "TanhBackward")
    assert page.inner_text("#panel .doc") == "z = tanh(x).   dz/dx = 1 - tanh(x)^2 = 1 - z^2."
    page.screenshot(path=tmp_path / "click.png")
    assert (tmp_path / "click.png").read_bytes()[:4] == b"\x89PNG"


def test_the_player_steps_through_backward_in_the_engines_order(open_page, tmp_path):
    tg.manual_seed(0)
    model = tg.nn.Sequential(tg.nn.Linear(4, 3), tg.nn.ReLU(), tg.nn.Linear(3, 2))
    w0 = model[0].weight
    w0.name = "W0"
    x = tg.randn(5, 4)
    loss = tg.nn.functional.cross_entropy(model(x), tg.tensor([0, 1, 1, 0, 1]))
    loss = loss + 0.01 * (w0 * w0).sum()  # W0 gets three contributions
    order = [n.name() for n in engine._topological_order([loss.grad_fn])]
    with record_backward() as tape:
        loss.backward()
    path = to_html(loss, tmp_path / "player.html", recording=tape)
    page = open_page(path)
    n = len(order)
    assert page.inner_text("#step-info").startswith(f"step {n} / {n}:")  # opens finished
    page.click("#reset")
    assert page.inner_text("#step-info") == f"before backward: press step ({n} steps)"
    leaves = page.evaluate(
        "DATA.vertices.flatMap((v, i) => v.kind === 'leaf' ? [[i, v.label[0]]] : [])"
    )
    assert len(leaves) == 4  # W0 (named), b0, W1, b1; the batch and the labels are constants
    for i, _ in leaves:
        assert page.text_content(f'g.vertex[data-index="{i}"] text.grad') == "grad none yet"
    for k in range(1, n + 1):
        page.click("#step")
        info = page.inner_text("#step-info")
        assert info.startswith(f"step {k} / {n}: {order[k - 1]} runs backward"), info
        running = page.locator("g.vertex.running")
        assert running.count() == 1
        assert running.get_attribute("data-index") == str(
            page.evaluate(f"DATA.steps[{k - 1}].node")
        )
    assert page.is_disabled("#step") and page.inner_text("#step-info").endswith("(backward done)")
    by_shape = {p.shape: p for p in model.parameters()}  # four different shapes
    for i, _ in leaves:
        p = by_shape[tuple(page.evaluate(f"DATA.vertices[{i}].value.shape"))]
        shown = numbers(page.text_content(f'g.vertex[data-index="{i}"] text.grad'))
        if shown.size == p.numel():  # the box shows the values when they fit, else their mean
            np.testing.assert_allclose(shown, p.grad.numpy(), rtol=1e-3, atol=1e-7)
        else:  # 4 digits in a box
            assert "mean" in page.text_content(f'g.vertex[data-index="{i}"] text.grad')
            np.testing.assert_allclose(shown, [p.grad.numpy().mean()], rtol=1e-3, atol=1e-7)
        page.click(f'g.vertex[data-index="{i}"]')
        panel_grad = numbers(page.inner_text("#panel-grad"))
        np.testing.assert_allclose(panel_grad, p.grad.numpy().ravel(), rtol=1e-5, atol=1e-7)
    click(page, "W0")
    arrivals = page.locator("#panel ol.arrivals li")
    assert arrivals.count() == 3  # through Linear, and twice through the decay's w0 * w0
    totals = [numbers(arrivals.nth(k).inner_text().split("sum so far")[1]) for k in range(3)]
    assert totals[-1].size == 1  # a mean: 12 values do not fit on the line
    np.testing.assert_allclose(totals[-1], w0.grad.numpy().mean(), rtol=1e-4)
    page.click("#back")
    assert page.inner_text("#step-info").startswith(f"step {n - 1} / {n}:")
    page.screenshot(path=tmp_path / "player.png", full_page=True)
    assert (tmp_path / "player.png").stat().st_size > 10_000


def test_play_runs_to_the_end(open_page, tmp_path):
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    page = open_page(to_html((x * x).sum(), tmp_path / "play.html"))
    page.click("#play")  # at the end already: starts again from the beginning
    assert page.inner_text("#play") == "pause"
    page.wait_for_function("document.getElementById('step-info').textContent.includes('done')")
    assert page.inner_text("#play") == "play"
    np.testing.assert_allclose(shown_grad(page, "leaf"), [2.0, 4.0])


def test_html_in_names_stays_text_and_large_tensors_show_a_histogram(
    open_page, tmp_path, monkeypatch
):
    monkeypatch.setattr(shutil, "which", lambda name: None)  # the built-in layout
    big = tg.tensor(np.linspace(-3, 3, 2000, dtype=np.float32), requires_grad=True)
    evil = "<img src=x onerror=window.pwned=1></script><script>window.pwned=2</script>"
    big.name = evil
    y = (big * big).sum()
    page = open_page(to_html(y, tmp_path / "big.html"))
    assert page.evaluate("window.pwned") is None
    assert page.evaluate("DATA.layout") == "builtin"
    click(page, evil)
    assert page.inner_text("#panel h2") == evil
    assert page.locator("img").count() == 0
    stats = numbers(page.inner_text("#panel-value .stats"))
    np.testing.assert_allclose(stats, [-3, 0, 3], atol=1e-5)
    assert page.locator("#panel-value svg.hist rect").count() == 20
    grad_stats = numbers(page.inner_text("#panel-grad .stats"))
    np.testing.assert_allclose(grad_stats, [-6, 0, 6], atol=1e-4)
    page.screenshot(path=tmp_path / "big.png")
