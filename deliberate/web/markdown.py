"""Markdown written by residents, rendered to HTML and sanitised: no scripts, no styles, safe links only."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_PARSER = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True}).enable("table")
_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre", "h3", "h4", "hr", "a",
    "table", "thead", "tbody", "tr", "th", "td",
}


def render(source: str) -> Markup:
    html = _PARSER.render(source or "")
    clean = nh3.clean(html, tags=_TAGS, attributes={"a": {"href", "title"}}, url_schemes={"http", "https", "mailto"},
                      link_rel="nofollow noopener ugc")
    return Markup(clean)
