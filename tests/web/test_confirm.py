"""The page that asks again before an irreversible step keeps every field and posts back to the same address."""

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from deliberate.web.confirm import ask_to_confirm, confirmed


def test_the_confirmation_page_reposts_the_same_fields(app, client, session):
    from client_helpers import login
    from factories import make_user

    def step(request: Request) -> Response:
        from deliberate.web.forms import form

        if confirmed(request):
            return PlainTextResponse("done " + str(form(request).get("reason")))
        return ask_to_confirm(request, title="结束表决", what="这会结束表决。", consequence="结束后不能再投票。",
                              button="确认结束", back="/")

    assert isinstance(app, Starlette)
    app.router.routes.insert(0, Route("/test-confirm/{id:int}", step, methods=["POST"]))
    make_user(session, "a")
    login(client, "a")
    page = client.get("/")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    asked = client.post("/test-confirm/3", data={"csrf_token": token, "reason": "<b>说明</b>"})
    assert asked.status_code == 200
    assert "结束后不能再投票。" in asked.text
    assert 'action="/test-confirm/3"' in asked.text
    assert 'name="reason" value="&lt;b&gt;说明&lt;/b&gt;"' in asked.text
    assert 'name="confirmed" value="yes"' in asked.text
    done = client.post("/test-confirm/3", data={"csrf_token": token, "reason": "<b>说明</b>", "confirmed": "yes"})
    assert done.text == "done <b>说明</b>"
