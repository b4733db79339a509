"""The QR code on every printed notice (公示): the page's public address, drawn by segno as inline SVG.

The address is built from the configured public address (`PUBLIC_URL`, the one e-mails link to) and the
notice's own path, never from what the request says its host is, and carries nothing but that path: a phone
that scans the paper on the bulletin board opens the same page online. segno writes the SVG without a style
attribute (the site's Content-Security-Policy allows none), with a viewBox so that CSS sizes it.
"""

from __future__ import annotations

import segno
from markupsafe import Markup
from starlette.requests import Request


def public_address(request: Request) -> str:
    """This page's address as the public sees it: the configured public base and the path, without a query."""
    base: str = request.app.state.settings.public_url
    return base.rstrip("/") + request.url.path


def qr_svg(address: str, label: str) -> Markup:
    """The QR code of `address` as an <svg> element to put in a page (an image named `label` for screen readers)."""
    code = segno.make(address, error="m")
    svg = code.svg_inline(scale=1, border=4, omitsize=True, light="#fff", svgclass="qr", lineclass=None)
    # segno escapes nothing it is not given; the address is ours, the label is escaped here
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{Markup.escape(label)}" ', 1))
