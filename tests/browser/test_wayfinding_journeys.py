"""Finding one's way on a phone: the open vote is cast from the home page in two taps, every link and button a
person must use is at least 44 px high, a meeting called is in 通知, and a browser asking for /favicon.ico gets it.
(issue 14, items 10, 15 and 24; axe checks every page on the way, see conftest.)"""

from __future__ import annotations

import re
from collections.abc import Callable

from browser.conftest import SCREENSHOTS, Visitor
from browser.test_loop_journeys import PARKING, go_to_proposal
from playwright.sync_api import expect

LIFT = "1号楼加装电梯方案"
MIN_TAP = 44

# Taps as the phone counts them: each press of a finger is one pointerdown, whatever it then sets off.
COUNT_TAPS = "addEventListener('pointerdown', () => { sessionStorage.taps = (+sessionStorage.taps || 0) + 1 }, true)"

# Links and buttons shorter than MIN_TAP. Exempt, as WCAG 2.5.8 exempts them: a link inside a sentence (its
# paragraph has words of its own besides links), inside rendered Markdown, the skip link while hidden.
SMALL_TARGETS = r"""
least => {
  const inSentence = el => {
    const parent = el.parentElement;
    if (!parent || !['P', 'DD', 'SPAN', 'LABEL', 'SMALL', 'STRONG', 'EM', 'LI'].includes(parent.tagName)) return false;
    let rest = '';
    for (const node of parent.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) rest += node.textContent;
      else if (node.nodeType === Node.ELEMENT_NODE && !node.matches('a, button, form, .tag')) rest += node.textContent;
    }
    return rest.replace(/[\s·|,，、:：()（）\-–]/g, '').length > 0;
  };
  const small = [];
  for (const el of document.querySelectorAll('a[href], button, summary, input[type=submit]')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || el.classList.contains('skip')) continue;
    if (el.closest('.prose') || inSentence(el)) continue;
    const name = el.textContent.trim().slice(0, 24);
    if (box.height < least) small.push(`${el.tagName.toLowerCase()} “${name}” ${box.height.toFixed(1)} px`);
  }
  return small;
}
"""


def _small_targets(visitor: Visitor) -> list[str]:
    return list(visitor.page.evaluate(SMALL_TARGETS, MIN_TAP))


def test_a_resident_casts_the_open_vote_from_the_home_page_in_two_taps(person: Callable[..., Visitor]) -> None:
    voter = person("leader_hp1")  # a resident of 和平里小区 1号楼, on the lift vote's roll
    page = voter.page
    page.context.add_init_script(COUNT_TAPS)
    voter.open("/")
    voter.log_in("leader_hp1")
    voter.open("/")
    page.evaluate("sessionStorage.taps = 0")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "phone-home-open-vote.png"), full_page=True)
    card = voter.section("等您投票").locator("li").filter(has=page.get_by_role("link", name=LIFT))
    expect(card).to_contain_text("截止：")
    card.get_by_role("radio", name="同意").click()
    with voter.leaving():
        card.get_by_role("button", name="投票").click()
    expect(page.get_by_text("选票已记录，谢谢您参与！")).to_be_visible()
    assert int(page.evaluate("sessionStorage.taps")) <= 2
    expect(page.get_by_role("heading", name=re.compile(LIFT))).to_be_visible()
    voter.open("/")
    expect(voter.section("等您投票")).to_contain_text("您已投票，截止前可以修改。")


def test_every_link_and_button_on_the_home_vote_and_proposal_pages_is_44_px_high(
        person: Callable[..., Visitor]) -> None:
    resident = person("resident")
    resident.open("/")
    resident.log_in("resident")
    found: dict[str, list[str]] = {}
    resident.open("/")
    found["/"] = _small_targets(resident)
    resident.follow(LIFT, within=resident.section("等您投票"))
    found[resident.page.url] = _small_targets(resident)
    resident.open("/")
    go_to_proposal(resident, "和平里小区", PARKING)  # plans, a vote, a thread with answers, a timeline
    found[resident.page.url] = _small_targets(resident)
    resident.open("/account")
    found[resident.page.url] = _small_targets(resident)
    assert {url: small for url, small in found.items() if small} == {}


def test_the_favicon_is_served_to_the_browser(person: Callable[..., Visitor]) -> None:
    visitor = person("anonymous")
    visitor.open("/")
    icon = visitor.page.request.get(visitor.base_url + "/favicon.ico")
    assert icon.ok and icon.headers["content-type"] == "image/x-icon"
    assert visitor.page.locator('link[rel="icon"][type="image/svg+xml"]').count() == 1
