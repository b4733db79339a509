"""What a mature site gets right: an icon at /favicon.ico, problems that look like problems, errors in words."""

from __future__ import annotations

import re

from starlette.routing import Route

from deliberate.web.responses import flash, redirect


def test_favicon_ico_is_an_icon_kept_for_a_month(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO with one image, a PNG inside
    assert b"\x89PNG" in response.content
    assert "max-age=2592000" in response.headers["cache-control"]


def test_every_page_links_the_svg_icon_which_is_served(client):
    page = client.get("/")
    link = re.search(r'<link rel="icon" href="([^"]+\.svg)" type="image/svg\+xml">', page.text)
    assert link
    icon = client.get(link.group(1))
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert '<link rel="icon" href="/favicon.ico"' in client.get("/login").text


def _page_with(app, category: str) -> None:  # type: ignore[no-untyped-def]
    def tell(request):  # type: ignore[no-untyped-def]
        flash(request, "出了点问题" if category != "success" else "已保存。", category)
        return redirect("/")

    app.router.routes.append(Route(f"/tell-{category}", tell))


def test_a_problem_flashed_is_an_alert_in_red_not_a_green_success(app, client):
    _page_with(app, "error")
    _page_with(app, "success")
    client.get("/tell-error")
    problem = client.get("/").text
    assert '<p class="flash error" role="alert">出了点问题</p>' in problem
    client.get("/tell-success")
    fine = client.get("/").text
    assert '<p class="flash success" role="status">已保存。</p>' in fine


def test_a_wrong_method_page_is_titled_in_words(client):
    page = client.get("/logout")
    assert page.status_code == 405
    assert "<h1>这个页面不能这样打开</h1>" in page.text and "错误代码 405" in page.text


def test_the_readme_stands_alone_and_says_how_to_choose_the_port():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert "../" not in readme  # nothing outside the repository
    for target in re.findall(r'(?:src|href)="([^"#:]+)"|\]\(([^)#:]+)\)', readme):
        path = next(t for t in target if t)
        assert (Path(__file__).resolve().parents[2] / path).exists(), path
    assert "`PORT`" in readme and "`HOST`" in readme and "make run HOST=0.0.0.0 PORT=8080" in readme
