"""A place's rules (规则设置): every setting with its value, whether it is the place's own or inherited and from
where, its legal floor; the community's staff and admins change one at a time or give it back to inheriting."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from deliberate.accounts.people import Person
from deliberate.audit import queries as audit
from deliberate.i18n import gettext as _
from deliberate.meetings import rules as meeting_rules  # noqa: F401  (declares the meetings' settings)
from deliberate.places import actions, settings, settings_forms
from deliberate.places.models import Place
from deliberate.places.settings import Effective
from deliberate.policy import Act, may
from deliberate.policy.access import access_place
from deliberate.proposals import rules as proposal_rules  # noqa: F401  (declares the proposals' settings)
from deliberate.voting import place_rules as vote_rules  # noqa: F401  (declares the votes' settings)
from deliberate.web.auth import current_person, db
from deliberate.web.loading import accessed
from deliberate.web.responses import flash, path_for, public_routes, redirect, render


@dataclass(frozen=True)
class Row:
    found: Effective
    source: Place | None  # where an inherited (or own) value comes from; None: the default
    fields: dict[str, str]  # the form, as stored or as typed
    error: str = ""

    @property
    def key(self) -> str:
        return self.found.setting.key


@dataclass(frozen=True)
class SettingsPage:
    place: Place
    trail: list[Place]
    sections: list[tuple[str, list[Row]]]
    can_edit: bool
    history: list[audit.Line] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    def as_json(self, url_for: Any) -> dict[str, Any]:
        return {"place": {"id": self.place.id, "name": self.place.name},
                "settings": [{"key": row.key, "value": row.found.value, "own": row.found.own,
                              "from_place_id": row.found.source_id} for _name, rows in self.sections for row in rows]}


def _section_names() -> dict[str, str]:
    return {"proposals": _("提案"), "votes": _("表决"), "meetings": _("会议")}


def _page(session: Session, place: Place, person: Person | None,
          change: settings_forms.Change | None = None) -> SettingsPage:
    trail = actions.ancestors(session, place)
    by_id = {p.id: p for p in [*trail, place]}
    rows: dict[str, list[Row]] = {}
    for key, found in settings.effective(session, place, settings.declared()).items():
        typed = change is not None and change.setting.key == key
        rows.setdefault(found.setting.group, []).append(Row(
            found, by_id.get(found.source_id) if found.source_id else None,
            change.typed if change is not None and typed else found.setting.form_fields(found.value),
            change.errors.get(key, "") if change is not None and typed else ""))
    sections = [(_section_names()[group], rows[group]) for group in settings.GROUPS if group in rows]
    history = audit.setting_history(session, place) if may(person, Act.READ_AUDIT, place) else []
    return SettingsPage(place=place, trail=trail, sections=sections, can_edit=may(person, Act.SET_RULES, place),
                        history=history, errors=change.errors if change else {})


def settings_page(request: Request) -> Response:
    place = accessed(request, access_place)
    return render(request, "places/settings.html", _page(db(request), place, current_person(request)))


def save_setting(request: Request) -> Response:
    place = accessed(request, access_place, Act.SET_RULES)
    change = settings_forms.change(request)
    if change.errors:
        page = _page(db(request), place, current_person(request), change)
        return render(request, "places/settings.html", page, status=422)
    if settings.do_set(db(request), place, change.setting.key, change.value):
        flash(request, _("已保存“%(label)s”。", label=change.setting.label()))
    return redirect(path_for(request, "places:settings", id=place.id) + f"#s-{change.setting.key}")


routes = [
    *public_routes("/places/{id:int}/settings", settings_page, "settings"),
    Route("/places/{id:int}/settings", save_setting, methods=["POST"], name="save_setting"),
]
