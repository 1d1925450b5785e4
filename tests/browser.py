"""Real Chromium (Debian's package) driven by Playwright, against a site served on loopback."""

from __future__ import annotations

import functools
import shutil
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextmanager
def serve_directory(root: Path, prefix: str = "") -> Iterator[str]:
    """Serve `root` on 127.0.0.1 at an ephemeral port; yields the base URL (ending in '/').

    With `prefix` (e.g. 'zwgk/yingshang/') the site is served under that sub-path only."""
    if prefix:
        mount = root.parent / f"{root.name}-mount"
        target = mount / prefix
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            target.symlink_to(root, target_is_directory=True)
        root = mount
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{prefix}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def preview_server(content: Path, out: Path, today: str = "2024-10-01", env: dict | None = None) -> Iterator[str]:
    """`python -m generator serve` on `content` in a subprocess; yields its base URL (no '/')."""
    import os
    import socket
    import subprocess
    import sys

    repo = Path(__file__).resolve().parent.parent
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(out.parent / f"{out.name}.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--content", str(content), "-o", str(out),
         "--port", str(port), "--today", today],
        cwd=repo, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": str(repo), **(env or {})},
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
