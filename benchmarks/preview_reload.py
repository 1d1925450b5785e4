"""How long an editor waits: a page open in Chromium, a YAML file saved, the new text shown.

    python benchmarks/preview_reload.py [--content DIR | --records 25000] [--rounds 3]

Starts `python -m generator serve` on a copy of the content (the example by default, or a
benchmarks/synth.py tree), opens the first power's page in Debian's Chromium (Playwright),
rewrites that power's name in its file and measures the time from the write until the page
shows the new name (the preview's own reload, under the site's CSP). Each round starts once
the previous rebuild has finished, as an editor's saves are seconds apart. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from browser import CHROMIUM_ARGS, chromium_path, preview_server  # noqa: E402
from generator.content.load import load_file  # noqa: E402


def first_power(content: Path) -> tuple[Path, str, str]:
    for file in sorted((content / "powers").glob("*.yaml")):
        data = load_file(file, file.name).data
        if data:
            return file, data[0]["id"], data[0]["name"]
    raise SystemExit("no power in the content")


def wait_up(base: str) -> None:
    while True:
        try:
            with urllib.request.urlopen(base + "/__preview__/state", timeout=5) as r:
                if json.loads(r.read())["version"] > 0:
                    return
        except OSError:
            pass
        time.sleep(0.5)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--content", type=Path, default=REPO / "content")
    parser.add_argument("--records", type=int, default=0, help="use a benchmarks/synth.py tree of this size")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "content"
        if args.records:
            from benchmarks.synth import generate
            generate(content, args.records, 1)
        else:
            shutil.copytree(args.content, content)
        file, record_id, name = first_power(content)
        start = time.perf_counter()
        with preview_server(content, Path(tmp) / "preview", today=time.strftime("%Y-%m-%d")) as base, \
                sync_playwright() as p:
            wait_up(base)
            print(f"first build: {time.perf_counter() - start:.1f} s", file=sys.stderr)
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page()
            page.goto(f"{base}/powers/{record_id}/")
            log = Path(tmp) / "preview.log"
            for round_ in range(1, args.rounds + 1):
                while log.read_text("utf-8").count("本次重新生成") < round_:  # the last rebuild has finished
                    time.sleep(0.2)
                new = f"{name}（第{round_}次修改）"
                text = file.read_text("utf-8")
                old = name if round_ == 1 else f"{name}（第{round_ - 1}次修改）"
                written = time.perf_counter()
                file.write_text(text.replace(f"name: {old}\n", f"name: {new}\n", 1), "utf-8")
                page.locator("h1", has_text=new).wait_for(timeout=120_000)
                print(f"round {round_}: edit shown in the open page {time.perf_counter() - written:.2f} s after the save")
            # Saves through the form editor's endpoint: checked like `validate`, then written.
            for save in (1, 2):
                while log.read_text("utf-8").count("本次重新生成") < args.rounds + save:
                    time.sleep(0.2)
                with urllib.request.urlopen(f"{base}/__preview__/record?kind=powers&id={record_id}") as r:
                    data = json.loads(r.read())["data"]
                data["name"] = f"{name}（表单修改{save}）"
                time.sleep(10 if save == 1 else 0)  # an editor filling in the form
                request = urllib.request.Request(f"{base}/__preview__/save", json.dumps(
                    {"kind": "powers", "id": record_id, "data": data}).encode(), {"Origin": base}, method="POST")
                sent = time.perf_counter()
                with urllib.request.urlopen(request, timeout=300) as r:
                    assert r.status == 200
                checked = time.perf_counter() - sent
                page.locator("h1", has_text=data["name"]).wait_for(timeout=120_000)
                print(f"form save {save}: checked and written in {checked:.2f} s; shown in the open page "
                      f"{time.perf_counter() - sent:.2f} s after the click")
            browser.close()
        for line in log.read_text("utf-8").splitlines():
            if "本次重新生成" in line:
                print("server:", line)  # each rebuild's own time, as the preview prints it
    return 0


if __name__ == "__main__":
    sys.exit(main())
