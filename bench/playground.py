"""Benchmark: ``tandem playground`` start-up, ``--demo-week`` duration, and click → visible in the page.

    python bench/playground.py               # 5 start-ups, 1 demo week, 40 clicks
    python bench/playground.py --runs 7 --clicks 100

* Start-up: ``python -m bot playground --no-open --port 0 --fresh`` in a fresh directory, from
  process spawn to its "ready at http://127.0.0.1:..." line (the demo workspace seeded through the
  app by then); median, min and max of ``--runs``. Target: within 3 s.
* Demo week: ``python -m bot playground --demo-week`` in a fresh directory, spawn to exit.
  Target: under 60 s.
* Click → visible: the page in Debian's Chromium (Playwright, headless), as one person; each
  sample is one of: a plain message sent from the composer until it shows in the list, "+1 hour"
  until the new time shows, a channel picked in the sidebar until its title shows. Timed in the
  page (``performance.now()`` from the click's dispatch to the DOM change seen by a
  MutationObserver). p50 / p95 / max over ``--clicks``. Target: p95 under 300 ms.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

READY = re.compile(r"ready at (http://127\.0\.0\.1:\d+/)")
ROOT = Path(__file__).resolve().parents[1]

MEASURE = """
async ([selector, expected, action]) => {
  const target = document.querySelector(selector);
  const seen = () => target.textContent.includes(expected);
  const done = new Promise((resolve, reject) => {
    const observer = new MutationObserver(() => { if (seen()) { observer.disconnect(); resolve(performance.now()); } });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    setTimeout(() => { observer.disconnect(); reject(new Error(`not seen: ${expected} in ${selector}`)); }, 10000);
  });
  const started = performance.now();
  if (action.kind === "send") {
    document.querySelector("#pg-text").value = action.text;
    document.querySelector("#pg-composer").requestSubmit();
  } else {
    document.querySelector(action.selector).click();
  }
  return (await done) - started;
}
"""


def _start(folder: Path) -> tuple[subprocess.Popen[str], str, float]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "playground", "--no-open", "--port", "0", "--fresh"],
        cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    for line in process.stdout:
        found = READY.search(line)
        if found:
            return process, found.group(1), time.perf_counter() - started
    raise SystemExit(f"the playground did not start: {process.stderr.read() if process.stderr else ''}")


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    process.wait(timeout=30)


def bench_startup(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            process, _url, seconds = _start(Path(folder))
            _stop(process)
            times.append(seconds)
    return times


def bench_week() -> float:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot", "playground", "--demo-week"], cwd=folder, check=True,
                       capture_output=True)  # fmt: skip
        return time.perf_counter() - started


def bench_clicks(clicks: int) -> list[float]:
    from playwright.sync_api import sync_playwright  # only this part needs a browser

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    samples: list[float] = []
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        process, url, _seconds = _start(Path(folder))
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.goto(url)
            page.wait_for_selector("#pg-now[data-now]")
            page.wait_for_timeout(300)
            channels = page.locator("#pg-channels .pg-nav").all_inner_texts()
            for index in range(clicks):
                kind = index % 3
                if kind == 0:
                    text = f"bench message {index}"
                    ms = page.evaluate(MEASURE, ["#pg-messages", text, {"kind": "send", "text": text}])
                elif kind == 1:
                    before = page.locator("#pg-now").inner_text()
                    hour = int(before.split(", ")[1][:2])
                    expected = f"{(hour + 1) % 24:02d}:"
                    action = {"kind": "click", "selector": "[data-clock=hour]"}
                    ms = page.evaluate(MEASURE, ["#pg-now", expected, action])
                else:
                    name = channels[index % len(channels)].replace("#", "").strip()
                    selector = f"#pg-channels li:nth-child({index % len(channels) + 1}) .pg-nav"
                    ms = page.evaluate(MEASURE, ["#pg-conv-title", name, {"kind": "click", "selector": selector}])
                samples.append(float(ms))
                page.wait_for_timeout(50)
        finally:
            browser.close()
            _stop(process)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="start-ups to time (default 5)")
    parser.add_argument("--clicks", type=int, default=40, help="clicks to time in the page (default 40)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    starts = bench_startup(args.runs)
    print(f"start-up to ready: median {statistics.median(starts):.2f} s (min {min(starts):.2f}, max {max(starts):.2f}; "
          f"{args.runs} runs; target <= 3 s)")  # fmt: skip
    week = bench_week()
    print(f"--demo-week: {week:.1f} s (target < 60 s)")
    clicks = sorted(bench_clicks(args.clicks))
    p95 = clicks[max(0, round(0.95 * len(clicks)) - 1)]
    print(f"click -> visible: p50 {statistics.median(clicks):.0f} ms, p95 {p95:.0f} ms, max {clicks[-1]:.0f} ms "
          f"({len(clicks)} clicks; target p95 < 300 ms)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
