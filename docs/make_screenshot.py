"""Regenerate docs/explorer.png, the README's picture of viz.to_html's page.

    python docs/make_screenshot.py        # needs Chromium and `pip install playwright`

It builds a small neuron with weight decay (so w gets two gradient contributions), records
its backward, writes the page, opens it in headless Chromium, clicks w and saves the window.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import tinygrad_edu as tg  # noqa: E402
from tinygrad_edu.viz import record_backward, to_html  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
ARGS += ["--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> None:
    from playwright.sync_api import sync_playwright

    x = tg.tensor([1.0, -2.0, 3.0])
    w = tg.tensor([0.5, 0.25, -0.5], requires_grad=True)
    b = tg.tensor(0.1, requires_grad=True)
    x.name, w.name, b.name = "x", "w", "b"
    loss = (x * w + b).tanh().sum() + 0.1 * (w**2).sum()
    loss.name = "loss"
    with record_backward() as tape:
        loss.backward()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("no chromium found (Debian: apt-get install chromium)")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        page_path = to_html(loss, Path(tmp) / "explorer.html", recording=tape)
        browser = pw.chromium.launch_persistent_context(
            str(Path(tmp) / "profile"),
            executable_path=chromium,
            headless=True,
            args=ARGS,
            viewport={"width": 1320, "height": 660},
        )
        page = browser.new_page()
        page.goto(page_path.as_uri())
        i = page.evaluate("DATA.vertices.findIndex((v) => v.label[0] === 'w')")
        page.click(f'g.vertex[data-index="{i}"]')
        out = ROOT / "docs" / "explorer.png"
        page.screenshot(path=out)
        browser.close()
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
