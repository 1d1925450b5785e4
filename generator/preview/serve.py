"""`serve`: a live preview at http://127.0.0.1:PORT that rebuilds when content changes.

The site is built into `output_dir` and served from there. Changes under content/ and
templates/ trigger a rebuild; open pages reload themselves after one. When a rebuild
fails, every served page carries a banner with the problems (the last good build stays
underneath), and if no build has succeeded yet every URL answers with the problems, so an
editor sees them in the browser, not only in the terminal.
"""

from __future__ import annotations

import html
import json
import sys
import threading
import time
import traceback
from datetime import date, datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from generator.errors import ContentError
from generator.preview.incremental import Incremental
from generator.pipeline import REPO, summary

STATE_URL = "/__preview__/state"
_WATCHED_EVENTS = frozenset(("created", "modified", "deleted", "moved"))


class Preview:
    """The preview's state: what was built last and what went wrong since."""

    def __init__(self, content_dir: Path, output_dir: Path, today: date | None = None):
        self.content_dir = Path(content_dir)
        self.output_dir = Path(output_dir).resolve()
        self.today = today
        self.version = 0
        self.problems: list[str] = []
        self.built = False
        self.lock = threading.Lock()
        self.changed = threading.Event()
        self.builder = Incremental(self.content_dir, self.output_dir)

    def rebuild(self) -> None:
        today = self.today or datetime.now(ZoneInfo("Asia/Shanghai")).date()
        problems: list[str] = []
        try:
            start = time.perf_counter()
            result = self.builder.build(today, log=lambda line: print(line, file=sys.stderr),
                                        pages_written=self._pages_written)
            print(f"{summary(result)}（本次重新生成 {self.builder.rendered:,} 个记录页面，"
                  f"{time.perf_counter() - start:.1f} 秒）", file=sys.stderr)
        except ContentError as exc:
            problems = [p.format() for p in exc.problems] or ["内容有错误"]
        except Exception:  # a bug: show it too, and keep serving
            problems = ["生成网站时出现内部错误（请报告给开发人员）：", *traceback.format_exc().splitlines()]
        for line in problems:
            print(line, file=sys.stderr)
        with self.lock:
            self.problems = problems
            self.built = self.built or not problems
            self.version += 1

    def _pages_written(self) -> None:
        """The edited records' pages are on disk: let open pages reload before the rest is done."""
        with self.lock:
            self.problems = []
            self.built = True
            self.version += 1

    def state(self) -> dict:
        with self.lock:
            return {"version": self.version, "problems": len(self.problems)}

    def watch_loop(self, stop: threading.Event) -> None:
        while not stop.is_set():
            if self.changed.wait(0.2):
                time.sleep(0.3)  # let an editor finish writing (save = several events)
                self.changed.clear()
                self.rebuild()


class _OnChange(FileSystemEventHandler):
    def __init__(self, preview: Preview):
        self.preview = preview

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in _WATCHED_EVENTS:
            return  # opened, closed without writing …
        if event.is_directory and event.event_type in ("created", "modified"):
            return  # the files inside report their own changes
        path = Path(str(event.src_path))
        if self.preview.output_dir not in path.parents and not path.name.startswith(".#"):
            self.preview.changed.set()


def banner(problems: list[str]) -> str:
    items = "\n".join(html.escape(line) for line in problems)
    return (
        '<div id="preview-problems" role="alert" style="position:fixed;z-index:10000;left:0;right:0;top:0;'
        'max-height:60vh;overflow:auto;background:#fff3f3;color:#8b0000;border-bottom:3px solid #c00;'
        'padding:1em 1.5em;font:14px/1.5 sans-serif;box-shadow:0 2px 8px rgba(0,0,0,.2)">'
        f"<strong>内容有 {sum(1 for p in problems if ': error: ' in p) or len(problems)} 个问题，网站没有更新"
        "（下面显示的是上一次成功生成的版本）。修改文件后会自动重新检查。</strong>"
        f'<pre style="white-space:pre-wrap;margin:.5em 0 0">{items}</pre></div>'
    )


_RELOAD = (
    "<script>(function(){var v=null;setInterval(function(){fetch('" + STATE_URL + "',{cache:'no-store'})"
    ".then(function(r){return r.json()}).then(function(s){if(v!==null&&s.version!==v){location.reload()}v=s.version})"
    ".catch(function(){})},1000)})();</script>"
)


def error_page(problems: list[str]) -> str:
    return ("<!doctype html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>内容有错误</title></head><body>"
            f"{banner(problems).replace('上一次成功生成的版本', '尚无成功生成的版本')}{_RELOAD}</body></html>")


class _Handler(SimpleHTTPRequestHandler):
    preview: Preview

    def log_message(self, format: str, *args) -> None:  # quiet: the terminal shows builds
        pass

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path == STATE_URL:
            return self._send(200, json.dumps(self.preview.state()), "application/json")
        with self.preview.lock:
            problems, built = list(self.preview.problems), self.preview.built
        if not built:
            if problems:
                return self._send(500, error_page(problems), "text/html; charset=utf-8")
            return self._send(503, error_page(["正在生成网站，请稍候……"]), "text/html; charset=utf-8")
        target = Path(self.translate_path(path))
        if target.is_dir():
            target = target / "index.html"
        status = 200
        if not target.is_file():
            target, status = self.preview.output_dir / "404.html", 404
            if not target.is_file():
                return super().do_GET()
        if target.suffix == ".html":
            page = target.read_text("utf-8")
            inject = (banner(problems) if problems else "") + _RELOAD
            at = page.rfind("</body>")
            page = page[:at] + inject + page[at:] if at >= 0 else page + inject
            return self._send(status, page, "text/html; charset=utf-8")
        return super().do_GET()

    def _send(self, status: int, body: str, content_type: str) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


def serve(content_dir: Path, output_dir: Path, port: int, today: date | None = None) -> int:
    preview = Preview(content_dir, output_dir, today)
    handler = type("PreviewHandler", (_Handler,), {"preview": preview})
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), partial(handler, directory=str(preview.output_dir)))
    except OSError as exc:
        print(f"无法使用端口 {port}：{exc.strerror}。请换一个端口，例如 --port {port + 1}", file=sys.stderr)
        return 1
    server.daemon_threads = True
    print(f"正在生成网站……预览地址：http://127.0.0.1:{port}/（按 Ctrl+C 停止）", file=sys.stderr)
    stop = threading.Event()
    observer = Observer()
    for folder in (Path(content_dir), REPO / "templates"):
        if folder.is_dir():
            observer.schedule(_OnChange(preview), str(folder), recursive=True)
    observer.start()  # before the first build, so an edit made meanwhile is not missed
    preview.rebuild()
    builder = threading.Thread(target=preview.watch_loop, args=(stop,), daemon=True)
    builder.start()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        print("\n已停止预览", file=sys.stderr)
    finally:
        stop.set()
        observer.stop()
        server.server_close()
    return 0
