"""The site's Content-Security-Policy, and the inline scripts it allows.

The published pages run only our own script files and the few inline scripts that the
theme writes into every page; content can add none (the post-build scan in `scan.py` fails
a build with any inline script that the page's own policy does not allow by its hash).

The policy of each page is written by the theme (generator/templates/overrides/main.html): it passes
the theme's inline-script partials, rendered for that very page, through `meta_policy`, so
the hashes are those of the exact text the page carries, whatever the theme's version. One
of them (mkdocs-material's `__md_scope=…`, which varies by the page's base URL) runs in
<head> before the policy's <meta> element, so only a header policy governs it; it is listed
anyway, which is harmless and lets the scan treat every inline script alike.

GitHub Pages cannot send headers, so the <meta> policy is what protects it (frame-ancestors
and reporting cannot be set that way). A server that can send headers should send the
full policy of `header_policy()`; `python -m generator.publish.csp SITE` prints it, with the
hashes of the inline scripts actually present in a built site (docs/deploy.md).
"""

from __future__ import annotations

import base64
import hashlib
import re
import sys
from pathlib import Path
from typing import Iterable

_INLINE = re.compile(r"<script>(.*?)</script>", re.S)

# The policy every page carries in a <meta> element (generator/templates/overrides/main.html).
META_DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self'{scripts}",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "frame-src 'none'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
)
# What only a header can carry: who may frame us, and upgrading stray http:// requests.
HEADER_ONLY = ("frame-ancestors 'none'", "upgrade-insecure-requests")


def source_hash(body: bytes | str) -> str:
    """A CSP hash source for an inline script's exact text: 'sha256-…'."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    return "'sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode("ascii") + "'"


def script_hashes(markup: str) -> list[str]:
    """The hash sources of the inline scripts in `markup`, in order, each once."""
    return list(dict.fromkeys(source_hash(m.group(1)) for m in _INLINE.finditer(markup)))


def _policy(directives: Iterable[str], hashes: Iterable[str]) -> str:
    scripts = "".join(" " + h for h in hashes)
    return "; ".join(d.format(scripts=scripts) for d in directives)


def meta_policy(hashes: Iterable[str] = ()) -> str:
    """The <meta> policy of a page whose inline scripts have these hashes."""
    return _policy(META_DIRECTIVES, hashes)


def header_policy(hashes: set[str]) -> str:
    """The full policy for a server's Content-Security-Policy header."""
    return _policy(META_DIRECTIVES + HEADER_ONLY, sorted(hashes))


def inline_script_hashes(site: Path) -> set[str]:
    """Hashes of every executable inline script in a built site's pages."""
    return {h for page in site.rglob("*.html") for h in script_hashes(page.read_text("utf-8"))}


def main(argv: list[str]) -> int:
    """`python -m generator.publish.csp SITE`: the nginx header lines for the site built in SITE."""
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print("用法：python -m generator.publish.csp 已生成的网站目录", file=sys.stderr)
        return 2
    print(f'add_header Content-Security-Policy "{header_policy(inline_script_hashes(Path(argv[0])))}" always;')
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
