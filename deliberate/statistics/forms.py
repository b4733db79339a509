"""The period named in a statistics page's query string; one that cannot be read is refused with 400."""

from __future__ import annotations

from starlette.requests import Request

from deliberate.clock import utcnow
from deliberate.i18n import gettext as _
from deliberate.refusal import Refused
from deliberate.statistics import periods
from deliberate.statistics.periods import SHANGHAI, Period


def _bad(field: str) -> str:
    return {
        "period": _("统计期间应写成年份（2026）、季度（2026-Q3）或月份（2026-07），年份在 2000 至 2100 之间。"),
        "from": _("开始日期应写成 2026-01-31 这样的日期。"),
        "to": _("结束日期应写成 2026-01-31 这样的日期，不早于开始日期，且期间不超过二十年。"),
    }[field]


def period_of(request: Request) -> Period:
    params = request.query_params
    try:
        return periods.parse(utcnow().astimezone(SHANGHAI).date(), period=params.get("period", ""),
                             first=params.get("from", ""), last=params.get("to", ""))
    except periods.BadPeriod as bad:
        raise Refused(_bad(bad.field), 400) from None
