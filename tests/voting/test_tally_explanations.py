"""The sentence that explains a result: one catalogue for every language, rendered from the facts."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_file

from deliberate import i18n
from deliberate.i18n import using
from deliberate.voting import tally as tally_module
from deliberate.voting.tally import (
    RecountError,
    explain,
    explain_stored,
    non_voters_rule,
    parse_recount,
    result_from_json,
    tally,
)

HAN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")  # Chinese characters and punctuation
BEFORE = json.loads((Path(__file__).parent / "explanations.json").read_text(encoding="utf-8"))["cases"]

# A certified owners' vote as Vote.result_json holds it, sentences included (they are ignored).
STORED: dict[str, Any] = {
    "rule": "owners_major", "form": "yes_no", "passed": True, "quorum_met": True, "winner": "yes", "winners": ["yes"],
    "tally": {"yes": {"heads": 70, "area": "6520.30"}, "no": {"heads": 10, "area": "500.00"},
              "abstain": {"heads": 5, "area": "300.50"}},
    "participation": {"heads": 85, "area": "7320.80"},
    "electorate": {"heads": 120, "area": "10234.50"},
    "explanation": "旧的说明", "explanation_en": "an old sentence",
}
STORED_ZH = (
    "参与表决 85 人（占 120 人的 70.83%）、面积 7,320.80 ㎡（占 10,234.50 ㎡ 的 71.53%），"
    "人数和面积均达到三分之二以上，达到法定人数；"
    "同意 70 人（占参与者的 82.35%）、面积 6,520.30 ㎡（占参与面积的 89.07%），"
    "人数和面积均达到参与者的四分之三以上，表决通过。"
)
STORED_EN = (
    "85 of 120 voted (70.83%), holding 7,320.80 of 10,234.50 ㎡ (71.53%): at least two thirds of the "
    "electorate both by head and by area, so the quorum is met; yes: 70 (82.35% of those voting) holding "
    "6,520.30 ㎡ (89.07% of the area voting), at least three quarters of those voting both by head and by "
    "area, so it passes."
)


@pytest.mark.parametrize("case", BEFORE, ids=[f"{c['vote']['rule']}-{c['vote']['form']}" for c in BEFORE])
def test_every_sentence_reads_as_it_did_before_the_catalogue(case: dict[str, Any]) -> None:
    result = tally(*parse_recount(case["vote"]), non_voters_rule(case["vote"]))
    data = json.loads(json.dumps(result.to_json()))
    assert (data["explanation"], data["explanation_en"]) == (case["zh"], case["en"])
    with using("zh_CN"):
        assert explain(result) == explain_stored(data) == case["zh"]
    with using("en"):
        assert explain(result) == explain_stored(data) == case["en"]


def test_a_stored_result_is_explained_in_the_readers_language_from_its_facts_alone() -> None:
    with using("en"):
        assert explain_stored(STORED) == STORED_EN
    with using("zh_CN"):
        assert explain_stored(STORED) == STORED_ZH
    facts = {key: value for key, value in STORED.items() if not key.startswith("explanation")}
    with using("en"):
        assert explain_stored(facts) == STORED_EN


def test_a_stored_choice_keeps_its_options_in_order() -> None:
    choices = [["甲", "乙"], ["甲", "乙"], ["甲"], ["乙", "丙"]]
    vote = {"rule": "majority", "form": "choose_many", "options": ["乙", "甲", "丙"], "electorate": {"heads": 4},
            "ballots": [{"choice": choice} for choice in choices]}
    data = json.loads(json.dumps(tally(*parse_recount(vote)).to_json()))
    assert result_from_json(data).options == ("乙", "甲", "丙")
    with using("en"):
        assert explain_stored(data).endswith('"乙" (3), "甲" (3) each have more than half of those voting, and pass.')
    with using("zh_CN"):
        assert explain_stored(data).endswith("「乙」3 人、「甲」3 人，各自超过参与者的半数，获得通过。")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"passed": False}, "the stored passed disagree with the counts"),
        ({"winner": None, "winners": []}, "the stored winner, winners disagree"),
        ({"quorum_met": False}, "the stored quorum_met disagree"),
        ({"tally": {"yes": {"heads": 70, "area": "6520.30"}}}, "a yes_no result counts yes, no and abstain"),
        ({"participation": {"heads": -1, "area": "0"}}, "participation: heads must be a non-negative integer"),
        ({"electorate": {"heads": 120}}, "electorate's area is required"),
        ({"rule": "most"}, "unknown rule"),
    ],
)
def test_a_stored_result_that_contradicts_itself_is_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(RecountError, match=re.escape(message)):
        result_from_json({**STORED, **changes})


def test_a_stored_choice_needs_its_abstentions_last() -> None:
    vote = {"rule": "plurality", "form": "choose_one", "options": ["A", "B"], "electorate": {"heads": 3},
            "ballots": [{"choice": "A"}]}
    data = tally(*parse_recount(vote)).to_json()
    data["tally"] = {"abstain": data["tally"]["abstain"], "A": data["tally"]["A"], "B": data["tally"]["B"]}
    with pytest.raises(RecountError, match="a choose_one result counts its options, then abstain"):
        result_from_json(data)


def _tally_messages() -> list[tuple[str | None, str]]:
    found = extract_from_file("python", tally_module.__file__)
    return [(context, message) for _line, message, _comments, context in found]


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\(\w+\)s|%%", text))


def test_every_message_of_the_tally_has_its_english() -> None:
    messages = _tally_messages()
    assert len(messages) > 40
    english = i18n.translations("en")
    for context, message in messages:
        text = english.pgettext(context, message) if context else english.gettext(message)
        assert text != message and not HAN.search(text), (context, message)
        assert _placeholders(text) == _placeholders(message), message


def _pattern(message: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"%\\\(\w+\\\)s", ".+?", re.escape(message)).replace("%%", "%"))


def test_the_sentences_from_before_use_every_message_of_the_tally() -> None:
    """So that the comparison above covers each clause in both languages."""
    english = i18n.translations("en")
    for context, message in _tally_messages():
        translated = english.pgettext(context, message) if context else english.gettext(message)
        assert any(_pattern(message).search(case["zh"]) for case in BEFORE), message
        assert any(_pattern(translated).search(case["en"]) for case in BEFORE), translated


def test_using_a_locale_restores_the_readers() -> None:
    token = i18n.current_locale.set("en")
    try:
        with using("zh_CN"):
            assert i18n.current_locale.get() == "zh_CN"
        assert i18n.current_locale.get() == "en"
    finally:
        i18n.current_locale.reset(token)
