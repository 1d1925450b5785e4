"""The site's Content-Security-Policy, and the inline scripts it allows.

The published pages run only our own script files and the few inline scripts that
mkdocs-material writes into every page; content can add none (the post-build scan in
`scan.py` fails a build that has any other script). Those inline scripts are read here
from the installed theme, so a theme upgrade that changes them is noticed, not guessed:

- `partials/javascripts/base.html` (`__md_scope=new URL("<base>",location),…`) varies
  only by the page's base URL ("." ".." "../.." or the site's path on the 404 page); it
  runs in <head> before our policy's <meta> element, so only a header policy governs it;
- `partials/javascripts/content.html` (the tab-linking script) is the same on every page
  and is allowed in the <meta> policy (templates/overrides/main.html) by its hash.

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
from functools import lru_cache
from pathlib import Path

import material

THEME_SCRIPTS = Path(material.__file__).parent / "templates" / "partials" / "javascripts"
_INLINE = re.compile(r"<script>(.*?)</script>", re.S)
_EXPRESSION = re.compile(r"\{\{.*?\}\}", re.S)

# The policy of templates/overrides/main.html (a test keeps the two the same).
META_DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self' {content_script}",
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


@lru_cache(maxsize=None)
def theme_scripts() -> tuple[tuple[str, re.Pattern[bytes]], ...]:
    """(name, exact pattern) of every inline script the theme's partials can write; a
    Jinja expression in one (the base URL) matches any URL path without quotes or markup."""
    found = []
    for partial in sorted(THEME_SCRIPTS.glob("*.html")):
        for i, match in enumerate(_INLINE.finditer(partial.read_text("utf-8"))):
            parts = _EXPRESSION.split(match.group(1))
            pattern = rb'[A-Za-z0-9_./:%-]*'.join(re.escape(p.encode("utf-8")) for p in parts)
            found.append((f"{partial.name}#{i + 1}", re.compile(pattern + rb"\Z")))
    return tuple(found)


def known_inline_script(body: bytes) -> str | None:
    """The theme partial an inline script comes from, or None if it is not the theme's."""
    return next((name for name, pattern in theme_scripts() if pattern.match(body)), None)


@lru_cache(maxsize=None)
def content_script_hash() -> str:
    """The hash of the tab-linking script every page carries after the <meta> policy."""
    text = (THEME_SCRIPTS / "content.html").read_text("utf-8")
    bodies = [m.group(1) for m in _INLINE.finditer(text) if "{{" not in m.group(1)]
    return source_hash(bodies[-1])


def meta_policy() -> str:
    return "; ".join(META_DIRECTIVES).format(content_script=content_script_hash())


def header_policy(hashes: set[str]) -> str:
    """The full policy for a server's Content-Security-Policy header."""
    scripts = " ".join(sorted(hashes | {content_script_hash()}))
    directives = [d.format(content_script=scripts) for d in META_DIRECTIVES] + list(HEADER_ONLY)
    return "; ".join(directives)


def inline_script_hashes(site: Path) -> set[str]:
    """Hashes of every executable inline script in a built site's pages."""
    script = re.compile(rb"<script>(.*?)</script>", re.S)
    return {source_hash(m.group(1)) for page in site.rglob("*.html") for m in script.finditer(page.read_bytes())}


def main(argv: list[str]) -> int:
    """`python -m generator.publish.csp SITE`: the nginx header lines for the site built in SITE."""
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print("用法：python -m generator.publish.csp 已生成的网站目录", file=sys.stderr)
        return 2
    print(f'add_header Content-Security-Policy "{header_policy(inline_script_hashes(Path(argv[0])))}" always;')
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
