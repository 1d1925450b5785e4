"""`serve`: a live preview at http://127.0.0.1:PORT that rebuilds when content changes.

The site is built into `output_dir` and served from there. Changes under content/ and
templates/ trigger a rebuild; open pages reload themselves after one. When a rebuild
fails, every served page carries a panel with the problems at its top (the last good build
stays underneath), and if no build has succeeded yet every URL answers with the problems,
so an editor sees them in the browser, not only in the terminal.

The page's own Content-Security-Policy allows only same-origin files, so the reload script
and the panel's styles are files under /__preview__/ (static/), linked into each page. The
form editor (editor.py, static/editor.js) lives under /__preview__/ too; a save is refused
unless it comes from this preview's own Origin and Host. The server listens on 127.0.0.1.
"""

from __future__ import annotations

import html
import json
import re
import sys
import threading
import time
import traceback
from datetime import date, datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from generator.output.render import TEMPLATES
from generator.content.tree import repository_root
from generator.errors import ContentError, Problem
from generator.kinds import KINDS
from generator.preview.editor import EditError, Editor
from generator.preview.incremental import Incremental
from generator.pipeline import summary

PREFIX = "/__preview__/"
STATE_URL = PREFIX + "state"
STATIC = Path(__file__).resolve().parent / "static"
_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
# The editor's own page: our files only, like the site's policy.
EDITOR_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
                 "form-action 'none'; base-uri 'none'; frame-ancestors 'none'")
_WATCHED_EVENTS = frozenset(("created", "modified", "deleted", "moved"))


class Preview:
    """The preview's state: what was built last and what went wrong since."""

    def __init__(self, content_dir: Path, output_dir: Path, today: date | None = None):
        self.content_dir = Path(content_dir)
        self.root = repository_root(self.content_dir.resolve())  # problem paths are relative to it
        self.output_dir = Path(output_dir).resolve()
        self.today = today
        self.version = 0
        self.problems: list = []  # Problem, or a line of text for an internal error
        self.built = False
        self.lock = threading.Lock()
        self.changed = threading.Event()
        self.saving = threading.Lock()  # one save at a time
        self.builder = Incremental(self.content_dir, self.output_dir)
        self.editor = Editor(self.content_dir)
        self.editor_warmed = False

    def today_value(self) -> date:
        return self.today or datetime.now(ZoneInfo("Asia/Shanghai")).date()

    def rebuild(self) -> None:
        today = self.today_value()
        problems: list = []
        try:
            start = time.perf_counter()
            result = self.builder.build(today, log=lambda line: print(line, file=sys.stderr),
                                        pages_written=self._pages_written)
            print(f"{summary(result)}（本次重新生成 {self.builder.rendered:,} 个记录页面，"
                  f"{time.perf_counter() - start:.1f} 秒）", file=sys.stderr)
            self.editor.content = result.content
        except ContentError as exc:
            problems = list(exc.problems) or ["内容有错误"]
        except Exception:  # a bug: show it too, and keep serving
            problems = ["生成网站时出现内部错误（请报告给开发人员）：", *traceback.format_exc().splitlines()]
        for problem in problems:
            print(problem.format() if isinstance(problem, Problem) else problem, file=sys.stderr)
        with self.lock:
            self.problems = problems
            self.built = self.built or not problems
            self.version += 1

    def warm_editor(self) -> None:
        """When a form is first opened, ready its checks in the background while the editor types."""
        if not self.editor_warmed:
            self.editor_warmed = True
            threading.Thread(target=self._warm_editor, daemon=True).start()

    def _warm_editor(self) -> None:
        with self.saving:
            self.editor.warm(self.today_value())

    def _pages_written(self) -> None:
        """The edited records' pages are on disk: let open pages reload before the rest is done."""
        with self.lock:
            self.problems = []
            self.built = True
            self.version += 1

    def state(self) -> dict:
        with self.lock:
            return {"version": self.version, "problems": len(self.problems)}

    def tools(self, path: str) -> str:
        """编辑此事项 on a record page, 新增 on a list or department page (the preview only)."""
        parts = [p for p in path.split("/") if p]
        links = []
        content = self.editor.content
        if len(parts) == 2 and parts[0] in KINDS and content is not None \
                and any(r.id == parts[1] for r, _ in content.records[parts[0]]):
            links.append((f"{PREFIX}edit?kind={parts[0]}&id={parts[1]}", "编辑此事项", "edit"))
        elif len(parts) == 1 and parts[0] in KINDS:
            links.append((f"{PREFIX}edit?kind={parts[0]}", f"新增{KINDS[parts[0]].label}", "new"))
        elif len(parts) == 2 and parts[0] == "departments":  # records filed by department: new ones here
            for kind in (k for k in KINDS.values() if k.file_must_be == "department"):
                links.append((f"{PREFIX}edit?kind={kind.name}&department={parts[1]}", f"新增{kind.label}", "new"))
        if not links:
            return ""
        anchors = "".join(f'<a class="preview-tools__{cls}" href="{html.escape(href)}">{html.escape(text)}</a>'
                          for href, text, cls in links)
        return f'<nav class="preview-tools" aria-label="预览编辑">{anchors}</nav>'

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


def panel(problems: list, built: bool, root: Path | None = None) -> str:
    """The problems, in view at the top of the page (styled by preview.css: the site's CSP
    allows no inline style), each with a link that opens its spot in the editor."""
    errors = sum(1 for p in problems if isinstance(p, Problem) and p.severity == "error") or len(problems)
    underneath = "上一次成功生成的版本" if built else "尚无成功生成的版本"
    items = "".join(f"<li>{_item(p, root)}</li>" for p in problems)
    return ('<div id="preview-problems" class="preview-problems" role="alert">'
            f"<strong>内容有 {errors} 个问题，网站没有更新（下面显示的是{underneath}）。修改文件后会自动重新检查。</strong>"
            f'<ol class="preview-problems__list">{items}</ol></div>')


def _item(problem, root: Path | None) -> str:
    """One problem; its link opens the spot (problem paths are relative to the repository root)."""
    if not isinstance(problem, Problem):
        return f'<span class="preview-problems__message">{html.escape(str(problem))}</span>'
    where = f"{problem.file}:{problem.line}:{problem.column}"
    spot = f"vscode://file{((root or Path.cwd()) / problem.file).resolve().as_posix()}:{problem.line}:{problem.column}"
    return (f'<a class="preview-problems__where" href="{html.escape(spot)}" title="在 VS Code 中打开">{html.escape(where)}</a>'
            f': {html.escape(problem.severity)}: <span class="preview-problems__message">{html.escape(problem.message)}</span>')


ASSETS = (f'<link rel="stylesheet" href="{PREFIX}preview.css">', f'<script src="{PREFIX}preview.js" defer></script>')


def inject(page: str, extra: str) -> str:
    """The preview's stylesheet and script into <head>, `extra` (panel, tools) after <body>."""
    at = page.find("</head>")
    page = page[:at] + "".join(ASSETS) + page[at:] if at >= 0 else "".join(ASSETS) + page
    body = re.search(r"<body[^>]*>", page)
    at = body.end() if body else len(page)
    return page[:at] + extra + page[at:]


def error_page(problems: list, root: Path | None = None) -> str:
    return inject("<!doctype html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>内容有错误</title></head>"
                  "<body></body></html>", panel(problems, built=False, root=root))


class _Handler(SimpleHTTPRequestHandler):
    preview: Preview
    server: ThreadingHTTPServer  # serve() runs it in one, on 127.0.0.1

    def log_message(self, format: str, *args) -> None:  # quiet: the terminal shows builds
        pass

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        path = url.path
        if path == STATE_URL:
            return self._send(200, json.dumps(self.preview.state()), "application/json")
        if path.startswith(PREFIX):
            return self._tool(path.removeprefix(PREFIX), parse_qs(url.query))
        with self.preview.lock:
            problems, built = list(self.preview.problems), self.preview.built
        if not built:
            if problems:
                return self._send(500, error_page(problems, self.preview.root), "text/html; charset=utf-8")
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
            extra = (panel(problems, built=True, root=self.preview.root) if problems else "") + (self.preview.tools(path) if status == 200 else "")
            return self._send(status, inject(target.read_text("utf-8"), extra), "text/html; charset=utf-8")
        return super().do_GET()

    def _tool(self, name: str, query: dict) -> None:
        """The preview's own files and the form editor's pages (never part of a build)."""
        if name in ("preview.js", "preview.css", "editor.js", "editor.css"):
            return self._send(200, (STATIC / name).read_text("utf-8"), _TYPES[Path(name).suffix])
        arg = {key: values[0] for key, values in query.items()}
        if name == "edit":
            return self._send(200, editor_page(arg), "text/html; charset=utf-8", policy=EDITOR_POLICY)
        if name == "record":
            self.preview.warm_editor()
            try:
                form = self.preview.editor.form(arg.get("kind", ""), arg.get("id"), arg.get("department"))
            except EditError as exc:
                return self._json(404, {"error": str(exc)})
            return self._json(200, form)
        return self._json(404, {"error": "没有这个预览地址"})

    def do_POST(self) -> None:
        if not self._own_origin():
            return self._json(403, {"error": "拒绝：只有本机预览页面可以修改内容"})
        if urlsplit(self.path).path != PREFIX + "save":
            return self._json(404, {"error": "没有这个预览地址"})
        try:
            payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            with self.preview.saving:
                version = self.preview.state()["version"]  # the form goes to the page once the site is newer
                saved = self.preview.editor.save(payload, self.preview.today_value())
        except EditError as exc:
            return self._json(400, {"error": str(exc)})
        except ValueError:
            return self._json(400, {"error": "表单内容无法读取，请刷新页面后重试"})
        return self._json(422 if saved.problems else 200, {**saved.__dict__, "version": version})

    def _own_origin(self) -> bool:
        """A write must come from a page of this preview: the Host it was opened at is ours
        (not a rebound DNS name) and so is the page that sent it (Origin)."""
        port = self.server.server_port
        ours = {f"127.0.0.1:{port}", f"localhost:{port}"}
        return self.headers.get("Host", "") in ours and self.headers.get("Origin", "") in {f"http://{h}" for h in ours}

    def _json(self, status: int, data: dict) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False), "application/json")

    def _send(self, status: int, body: str, content_type: str, policy: str = "") -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        if policy:
            self.send_header("Content-Security-Policy", policy)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


def editor_page(arg: dict) -> str:
    """The form's page: editor.js builds the form from /__preview__/record."""
    attrs = " ".join(f'data-{key}="{html.escape(arg.get(key, ""))}"' for key in ("kind", "id", "department"))
    return ('<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>编辑 · 预览</title>'
            '<meta name="viewport" content="width=device-width,initial-scale=1">'
            '<link rel="icon" href="/assets/images/favicon.png">'
            f'<link rel="stylesheet" href="{PREFIX}editor.css"><script src="{PREFIX}editor.js" defer></script></head>'
            f'<body><main id="editor" class="editor" {attrs}><p>正在载入表单……</p></main></body></html>')


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
    for folder in (Path(content_dir), TEMPLATES):
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
        preview.editor.close()
    return 0
