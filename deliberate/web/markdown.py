"""Markdown written by residents, rendered to HTML and sanitised: no scripts, no styles, safe links only."""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_PARSER = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True}).enable("table")
_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre", "h3", "h4", "hr", "a",
    "table", "thead", "tbody", "tr", "th", "td",
}


# Renderings kept per process, of texts up to KEPT_CHARS (comments, most bodies): tens of megabytes at worst,
# a few in practice. The HTML depends on the text alone, so a kept one is never stale.
RENDERED, KEPT_CHARS = 4096, 2000


def render(source: str) -> Markup:
    source = source or ""
    return _kept(source) if len(source) <= KEPT_CHARS else _render(source)


@lru_cache(maxsize=RENDERED)
def _kept(source: str) -> Markup:
    return _render(source)


def _render(source: str) -> Markup:
    html = _PARSER.render(source)
    clean = nh3.clean(html, tags=_TAGS, attributes={"a": {"href", "title"}}, url_schemes={"http", "https", "mailto"},
                      link_rel="nofollow noopener ugc")
    return Markup(clean)
