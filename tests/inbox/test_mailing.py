"""Notifications by e-mail: who gets one, in which language, exactly once, and what happens when mail fails."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from factories import make_proposal_cast
from sqlalchemy import update
from sqlmodel import col, select

from deliberate.accounts.people import load_person
from deliberate.cli import main as cli
from deliberate.clock import utcnow
from deliberate.inbox import mailing
from deliberate.mail import DeliveryFailed, Message, SmtpSender
from deliberate.periodic import Periodic
from deliberate.proposals import actions
from deliberate.proposals.actions import Draft
from deliberate.proposals.models import Notification, Proposal


class Outbox:
    def __init__(self) -> None:
        self.sent: list[Message] = []

    def send(self, messages: Sequence[Message]) -> list[Message]:
        self.sent.extend(messages)
        return []


class Unreachable:
    def send(self, messages: Sequence[Message]) -> list[Message]:
        raise DeliveryFailed("connection refused")


@pytest.fixture
def cast(session):  # type: ignore[no-untyped-def]
    return make_proposal_cast(session, extra_households=2)


def _in_review(session, cast) -> Proposal:  # type: ignore[no-untyped-def]
    """Submitted and co-signed by two neighbours: staff and the council are told that review begins."""
    _town, building, people = cast
    author = people["author"]
    draft = Draft("楼下停车难", "没有车位。", "parking")
    proposal = actions.do_create(session, place=building, author=author, draft=draft, submit=True,
                                 person=load_person(session, author))
    for name in ("neighbour", "neighbour2"):
        actions.do_cosign(session, proposal, building, load_person(session, people[name]), people[name])
    session.commit()
    return proposal


def _set_email(session, user, email: str | None, *, wanted: bool = True, locale: str | None = None) -> None:  # type: ignore[no-untyped-def]
    user.email, user.email_notifications, user.locale = email, wanted, locale
    session.add(user)
    session.commit()


def _unmailed(session) -> int:  # type: ignore[no-untyped-def]
    session.rollback()
    return len(session.exec(select(Notification.id).where(col(Notification.emailed_at).is_(None))).all())


def test_a_reviewer_with_an_address_gets_one_message_and_the_others_none(session, database, cast):
    _town, _building, people = cast
    _set_email(session, people["staff"], "wang@example.com")
    _set_email(session, people["council"], None)
    proposal = _in_review(session, cast)
    outbox = Outbox()

    claimed = mailing.send_pending(database, outbox)

    assert claimed >= 2 and _unmailed(session) == 0
    assert [m.to for m in outbox.sent] == ["wang@example.com"]
    message = outbox.sent[0]
    assert message.subject == "[议事厅] 楼下停车难：转入受理（受理中）"
    assert "王芳" in message.body or people["staff"].display_name in message.body
    assert f"http://127.0.0.1:8000/proposals/{proposal.id}#timeline" in message.body
    assert "http://127.0.0.1:8000/account" in message.body


def test_each_notification_is_mailed_once(session, database, cast):
    _town, _building, people = cast
    _set_email(session, people["staff"], "wang@example.com")
    _in_review(session, cast)
    outbox = Outbox()
    mailing.send_pending(database, outbox)
    assert mailing.send_pending(database, outbox) == 0
    assert len(outbox.sent) == 1


def test_several_notifications_become_one_message_in_the_persons_language(session, database, cast):
    _town, building, people = cast
    author = people["author"]
    _set_email(session, author, "author@example.com", locale="en")
    proposal = _in_review(session, cast)
    actions.do_review(session, proposal, building, load_person(session, people["staff"]), people["staff"],
                      actions.Move.ACCEPT, reason="受理。")
    session.commit()
    outbox = Outbox()
    mailing.send_pending(database, outbox)
    [message] = outbox.sent
    assert message.to == "author@example.com"
    assert message.subject.startswith("[Deliberate]") and "updates" in message.subject
    assert "Accepted" in message.body and "受理。" in message.body


def test_people_who_turned_mail_off_or_were_told_long_ago_get_nothing(session, database, cast):
    _town, _building, people = cast
    _set_email(session, people["staff"], "wang@example.com", wanted=False)
    _set_email(session, people["council"], "council@example.com")
    _in_review(session, cast)
    session.exec(update(Notification).values(created_at=utcnow() - timedelta(days=2)))  # type: ignore[call-overload]
    session.commit()
    outbox = Outbox()
    assert mailing.send_pending(database, outbox) > 0
    assert outbox.sent == [] and _unmailed(session) == 0


def test_when_the_mail_server_is_down_the_claim_is_released_for_the_next_round(session, database, cast):
    _town, _building, people = cast
    _set_email(session, people["staff"], "wang@example.com")
    _in_review(session, cast)
    pending = _unmailed(session)
    with pytest.raises(DeliveryFailed):
        mailing.send_pending(database, Unreachable())
    assert _unmailed(session) == pending
    outbox = Outbox()
    mailing.send_pending(database, outbox)
    assert len(outbox.sent) == 1


def test_the_worker_sends_in_the_background_until_stopped():
    rounds = threading.Semaphore(0)

    def send_once() -> int:
        rounds.release()
        return 0

    worker = Periodic("mail", send_once, interval_seconds=0.01)
    worker.start()
    assert rounds.acquire(timeout=5) and rounds.acquire(timeout=5)
    worker.stop()


# A real SMTP conversation ----------------------------------------------------------------------


class _Received:
    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_RCPT(self, server, session, envelope, address, options):  # type: ignore[no-untyped-def]  # noqa: N802
        if address.endswith("@refused.example"):
            return "550 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[tuple[_Received, int]]:
    with socket.socket() as probe:  # aiosmtpd needs its port up front
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    received = _Received()
    controller = Controller(received, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield received, port
    finally:
        controller.stop()


def test_the_smtp_sender_delivers_and_reports_refused_addresses(settings, smtp_server):
    received, port = smtp_server
    mail_settings = replace(settings, smtp_host="127.0.0.1", smtp_port=port, smtp_security="none",
                            mail_from="议事厅 <noreply@deliberate.example>")
    good = Message("wang@example.com", "[议事厅] 楼下停车难：受理立案", "王芳，您好：\n")
    bad = Message("nobody@refused.example", "x", "y\n")

    refused = SmtpSender(mail_settings).send([good, bad])

    assert refused == [bad]
    [envelope] = received.envelopes
    assert envelope.rcpt_tos == ["wang@example.com"]
    text = envelope.content.decode()
    assert "noreply@deliberate.example" in text and "Subject: =?utf-8?" in text


def test_the_smtp_sender_says_when_the_server_cannot_be_reached(settings):
    closed = replace(settings, smtp_host="127.0.0.1", smtp_port=9, smtp_security="none")
    with pytest.raises(DeliveryFailed):
        SmtpSender(closed, timeout=2).send([Message("a@example.com", "s", "b")])


def test_the_mail_command_refuses_without_a_mail_server(monkeypatch, capsys):
    monkeypatch.delenv("SMTP_HOST", raising=False)
    assert cli(["mail", "send"]) == 2
    assert "SMTP_HOST" in capsys.readouterr().err
