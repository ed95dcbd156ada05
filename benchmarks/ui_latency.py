"""UI latency of the annotator page: key press -> next text painted, measured in the page.

Starts Looplabel in a temporary data directory (migrate, `manage.py demo`, runserver on a
free localhost port), logs in as the demo annotator in headless Chromium (Playwright),
labels texts with the keyboard and reads the page's own marks (window.looplabelTimings:
performance.now() at keydown, and again after the DOM update and the next paint).

Two runs:
  warm   - a short pause between keys (default 400 ms, a fast human); the prefetch buffer
           is full when the key is pressed. This is the figure the target is about.
  rapid  - keys back to back (default 100 ms apart), about as fast as the server answers;
           shows what happens when prefetch cannot keep up.

Usage:  .venv/bin/python benchmarks/ui_latency.py [--labels 30] [--rapid 20] [--pause-ms 400]
Writes benchmarks/results/ui_latency.json and prints a table.
"""
import argparse
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "ui_latency.json"
PYTHON = sys.executable
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env, *args, capture=True):
    return subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True,
                          capture_output=capture)


def wait_until_up(url, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the server did not answer at {url}")


def poll(page, expression, timeout=15.0, interval=0.02):
    """page.evaluate until truthy (wait_for_function would need eval, which the page's CSP forbids)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = page.evaluate(expression)
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(expression)


def summarise(values):
    values = sorted(values)
    if not values:
        return {"n": 0}
    p90 = values[min(len(values) - 1, max(0, round(0.9 * len(values)) - 1))]
    return {"n": len(values), "median_ms": round(statistics.median(values), 2), "p90_ms": round(p90, 2),
            "max_ms": round(values[-1], 2), "mean_ms": round(statistics.fmean(values), 2),
            "min_ms": round(values[0], 2)}


STATE = "window.looplabelAnnotator.state"


def label_run(page, count, pause_ms, wait_warm, start_index=0):
    """Press label keys `count` times; returns the timings the page recorded for them."""
    before = page.evaluate("window.looplabelTimings.length")
    for i in range(count):
        if wait_warm:
            # Warm: the previous label is saved and two texts are ready before the next key.
            poll(page, f"{STATE}.queue.length === 0 && {STATE}.buffer.length >= 2 && !{STATE}.fetching")
        page.keyboard.press("123"[(start_index + i) % 3])
        time.sleep(pause_ms / 1000)
    if wait_warm:
        poll(page, f"window.looplabelTimings.length >= {before + count}", timeout=30)
    # Keys pressed while no text is on screen label nothing (there is nothing to label), so
    # the rapid run can record fewer timings than presses.
    poll(page, f"{STATE}.queue.length === 0 && !{STATE}.fetching && {STATE}.current", timeout=30)
    time.sleep(0.2)
    return page.evaluate(f"window.looplabelTimings.slice({before})")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--labels", type=int, default=30, help="labels in the warm run")
    parser.add_argument("--rapid", type=int, default=20, help="labels in the back-to-back run (0 to skip)")
    parser.add_argument("--pause-ms", type=int, default=400, help="pause between keys in the warm run")
    parser.add_argument("--rapid-pause-ms", type=int, default=100)
    parser.add_argument("--output", default=str(RESULTS))
    args = parser.parse_args()

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("Chromium is not installed (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    data_dir = tempfile.mkdtemp(prefix="looplabel-ui-bench-")
    env = {**os.environ, "LOOPLABEL_DATA_DIR": data_dir, "DJANGO_DEBUG": "true", "LOOPLABEL_LOG_LEVEL": "WARNING"}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = None
    try:
        print(f"data dir {data_dir}; migrating and creating the demo project…", flush=True)
        manage(env, "migrate", "-v", "0")
        started = time.monotonic()
        manage(env, "demo", "--host", base)
        print(f"demo ready in {time.monotonic() - started:.1f} s; starting runserver on {base}", flush=True)
        server = subprocess.Popen([PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
                                  cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True)
        wait_until_up(f"{base}/accounts/login/")

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            page = context.new_page()
            errors = []
            page.on("console", lambda message: message.type == "error" and errors.append(message.text))
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(f"{base}/accounts/login/")
            page.fill("#id_username", "annotator")
            page.fill("#id_password", "annotator-demo-pass")
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/")
            page.goto(base + page.get_attribute(".project-card a[href$='/annotate/']", "href"))
            poll(page, f"{STATE}.current && {STATE}.buffer.length >= 2")

            warm = label_run(page, args.labels, args.pause_ms, wait_warm=True)
            rapid = label_run(page, args.rapid, args.rapid_pause_ms, wait_warm=False, start_index=args.labels) \
                if args.rapid else []
            saves = page.evaluate("performance.getEntriesByType('resource')"
                                  ".filter(e => e.name.includes('/annotations/')).map(e => e.duration)")
            fetches = page.evaluate("performance.getEntriesByType('resource')"
                                    ".filter(e => e.name.includes('/next/')).map(e => e.duration)")
            version = browser.version
            browser.close()
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=10)
        shutil.rmtree(data_dir, ignore_errors=True)

    result = {
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join([".venv/bin/python benchmarks/ui_latency.py", *sys.argv[1:]]),
        "what": "key press -> next text painted (keydown mark to after the next paint), in the page",
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
                    "chromium": version, "server": "Django runserver, SQLite, same machine"},
        "warm": {**summarise([t["ms"] for t in warm]), "pause_ms": args.pause_ms,
                 "prefetched": sum(bool(t["prefetched"]) for t in warm)},
        "rapid": {**summarise([t["ms"] for t in rapid]), "pause_ms": args.rapid_pause_ms, "presses": args.rapid,
                  "prefetched": sum(bool(t["prefetched"]) for t in rapid)},
        "background_requests": {"POST annotations": summarise(saves), "GET next": summarise(fetches)},
        "console_errors": errors,
        "target": "median <= 50 ms with warm prefetch",
    }
    result["target_met"] = result["warm"].get("median_ms", 1e9) <= 50
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(result, indent=2) + "\n")

    print()
    print(f"{'run':<28}{'n':>4}{'median':>10}{'p90':>10}{'max':>10}   (ms)")
    rows = [("warm (key -> painted)", result["warm"]), ("rapid (key -> painted)", result["rapid"]),
            ("POST annotations (bg)", result["background_requests"]["POST annotations"]),
            ("GET next (bg)", result["background_requests"]["GET next"])]
    for name, row in rows:
        if row.get("n"):
            print(f"{name:<28}{row['n']:>4}{row['median_ms']:>10.1f}{row['p90_ms']:>10.1f}{row['max_ms']:>10.1f}")
    print(f"\ntarget (warm median <= 50 ms): {'met' if result['target_met'] else 'NOT met'}; "
          f"console errors: {len(errors)}; written to {args.output}")
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
