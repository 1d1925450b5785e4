"""Markdown fields (policy body, interpretation text) to sanitised HTML.

markdown-it-py with raw HTML switched off parses a restricted CommonMark plus tables;
nh3 (ammonia) then keeps only an allow-list of tags and http(s)/mailto links.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
_md.disable("image")  # no third-party requests from content

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "code", "pre",
    "blockquote", "hr", "a", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}


def render_markdown(text: str | None) -> Markup:
    if not text:
        return Markup("")
    html = _md.render(text)
    # A markdown "# heading" would compete with the page's own h1: shift it down one level.
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return Markup(nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    ))
