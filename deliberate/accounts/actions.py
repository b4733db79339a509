"""The only writers of accounts, claims and role grants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, select, update

from deliberate.accounts import passwords, rules, sessions, throttle
from deliberate.accounts.models import ClaimStatus, ResidencyClaim, Role, RoleGrant, User
from deliberate.clock import utcnow
from deliberate.i18n import gettext as _
from deliberate.places.models import Household, Member, Place
from deliberate.refusal import Refused
from deliberate.settings import Settings


class AccountError(Refused):
    """A change to accounts, claims or roles that their state refuses (409 unless it says)."""


def find_user(session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username)).first()


def do_register(session: Session, *, username: str, display_name: str, password: str,
                password_hash: str | None = None) -> User:
    """`password_hash`, if given, is `password` hashed already (the demo's accounts share one password).
    Hashed before the first query: the request's write transaction begins at its first statement."""
    password_hash = password_hash or passwords.hash_password(password)
    if find_user(session, username) is not None:
        raise AccountError(_("这个用户名已被使用，请换一个。"), 422)
    user = User(username=username, display_name=display_name, password_hash=password_hash)
    session.add(user)
    session.flush()
    return user


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    needs_rehash: bool = False


def authenticate(session: Session, *, username: str, password: str) -> LoginResult:
    """Checks the password in constant-ish time, writing nothing: read it through a reading session so that
    the slow check holds no write lock."""
    user = find_user(session, username)
    if user is None or not user.is_active:
        passwords.verify(passwords.DUMMY_HASH, password)
        return LoginResult(None)
    if not passwords.verify(user.password_hash, password):
        return LoginResult(None)
    return LoginResult(user, needs_rehash=passwords.needs_rehash(user.password_hash))


@dataclass(frozen=True)
class LoginCheck:
    """A login attempt checked, writing nothing: who it is (None: refused, `refusal` says why), and a renewed
    hash made now, outside any write transaction, when the stored one has old parameters."""

    user: User | None
    address: str = ""
    throttled: bool = False
    refusal: str = ""
    renewed_hash: str | None = None


def check_login(session: Session, username: str, password: str, address: str, settings: Settings) -> LoginCheck:
    window = timedelta(minutes=settings.login_throttle_minutes)
    if throttle.is_throttled(session, username=username, address=address, window=window,
                             per_account=settings.login_max_failures_per_account,
                             per_address=settings.login_max_failures_per_address):
        return LoginCheck(None, address, throttled=True, refusal=_("登录失败次数过多，请几分钟后再试。"))
    result = authenticate(session, username=username, password=password)
    if result.user is None:
        return LoginCheck(None, address, refusal=_("用户名或密码不正确。"))
    renewed = passwords.hash_password(password) if result.needs_rehash else None
    return LoginCheck(result.user, address, renewed_hash=renewed)


def do_log_in(session: Session, check: LoginCheck) -> None:
    """What a successful login writes (its session is started by the caller): its failures forgotten, its hash
    renewed when it had old parameters."""
    assert check.user is not None and check.user.id is not None
    throttle.clear_account(session, check.user.username, check.address)
    if check.renewed_hash:
        do_set_password_hash(session, check.user.id, check.renewed_hash)


def do_set_password_hash(session: Session, user_id: int, password_hash: str) -> None:
    """Store a hash made beforehand (outside the transaction: hashing is slow)."""
    session.exec(update(User).where(col(User.id) == user_id).values(password_hash=password_hash))


def do_change_password(session: Session, user_id: int, *, password_hash: str, keep_session: str | None) -> int:
    """Sets the password and ends every other session of this account; returns how many ended."""
    do_set_password_hash(session, user_id, password_hash)
    return sessions.do_end_all_for_user(session, user_id, keep=keep_session)


def do_set_email(session: Session, user_id: int, *, email: str, notifications: bool) -> None:
    session.exec(update(User).where(col(User.id) == user_id)
                 .values(email=email or None, email_notifications=notifications))


def email_saved_message(email: str, notifications: bool) -> str:
    if not email:
        return _("已删除电子邮箱，不再给您发邮件。")
    if notifications:
        return _("已保存。您关注的提案有新进展时，会发邮件到 %(email)s。", email=email)
    return _("已保存电子邮箱。邮件通知已关闭。")


def do_set_locale(session: Session, user_id: int, locale: str) -> None:
    session.exec(update(User).where(col(User.id) == user_id).values(locale=locale))


def do_claim(
    session: Session, *, user: User, household: Household, name: str, birth_year: int, note: str
) -> ResidencyClaim:
    open_claim = session.exec(
        select(ResidencyClaim).where(
            ResidencyClaim.user_id == user.id,
            ResidencyClaim.household_id == household.id,
            ResidencyClaim.status.in_([ClaimStatus.PENDING, ClaimStatus.APPROVED]),  # type: ignore[attr-defined]
        )
    ).first()
    if open_claim is not None:
        raise AccountError(_("您已认领过这户房屋，请等待核实结果。"))
    claim = ResidencyClaim(user_id=user.id, household_id=household.id, name=name, birth_year=birth_year, note=note)
    session.add(claim)
    session.flush()
    return claim


class ClaimMismatch(AccountError):
    """The register does not bear the claim out, and the staff approving it did not confirm they mean it."""

    status = 422


def register_match_of(session: Session, claim: ResidencyClaim) -> str:
    """What the household's register says of the claim's name and birth year (rules.RegisterMatch)."""
    people = session.exec(
        select(Member.name, Member.birth_year, Member.user_id).where(Member.household_id == claim.household_id)
    ).all()
    return rules.register_match(claim.name, claim.birth_year, people)


def do_approve_claim(session: Session, claim: ResidencyClaim, *, by: User, mismatch_confirmed: bool = False
                     ) -> Member:
    """Verifies the resident: links them to the register's member of that name and year, or adds one. A claim the
    register does not bear out (another year, nobody of that name, someone else's entry) is refused unless the
    staff confirm it, and the claim keeps what the register said and that they confirmed."""
    if claim.status != ClaimStatus.PENDING:
        raise AccountError(_("这份申请已经处理过了。"))
    match = register_match_of(session, claim)
    if match != rules.RegisterMatch.MATCH and not mismatch_confirmed:
        raise ClaimMismatch(_("%(what)s：请核对后勾选确认，再点核实通过。", what=rules.register_match_label(match)))
    member = session.exec(
        select(Member).where(
            Member.household_id == claim.household_id,
            Member.name == claim.name,
            Member.birth_year == claim.birth_year,
            Member.user_id.is_(None),  # type: ignore[union-attr]
        )
    ).first()
    if member is None:
        member = Member(household_id=claim.household_id, name=claim.name, birth_year=claim.birth_year)
    member.user_id = claim.user_id
    session.add(member)
    session.flush()
    claim.status = ClaimStatus.APPROVED
    claim.register_match = match
    claim.mismatch_confirmed = match != rules.RegisterMatch.MATCH
    claim.member_id = member.id
    claim.decided_by_id = by.id
    claim.decided_at = utcnow()
    session.add(claim)
    session.flush()
    return member


def do_reject_claim(session: Session, claim: ResidencyClaim, *, by: User, reason: str) -> ResidencyClaim:
    if claim.status != ClaimStatus.PENDING:
        raise AccountError(_("这份申请已经处理过了。"))
    claim.status = ClaimStatus.REJECTED
    claim.register_match = register_match_of(session, claim)
    claim.reason = reason
    claim.decided_by_id = by.id
    claim.decided_at = utcnow()
    session.add(claim)
    session.flush()
    return claim


def do_remove_member(session: Session, member: Member, *, by: User) -> None:
    """Takes a person off the register; an account verified through them is no longer a resident."""
    claims = session.exec(
        select(ResidencyClaim).where(
            ResidencyClaim.member_id == member.id, ResidencyClaim.status == ClaimStatus.APPROVED
        )
    ).all()
    for claim in claims:
        claim.status = ClaimStatus.REVOKED
        claim.decided_by_id = by.id
        claim.decided_at = utcnow()
        session.add(claim)
    session.flush()
    session.delete(member)
    session.flush()


def do_grant_role(session: Session, *, user: User, role: str, place: Place, by: User | None) -> RoleGrant:
    if role not in Role.ALL:
        raise AccountError(_("请选择角色。"), 422)
    if role == Role.BUILDING_LEADER and place.kind != "building":
        raise AccountError(_("楼栋长只能在楼栋上任命。"), 422)
    existing = session.exec(
        select(RoleGrant).where(RoleGrant.user_id == user.id, RoleGrant.role == role, RoleGrant.place_id == place.id)
    ).first()
    if existing is not None:
        return existing
    grant = RoleGrant(user_id=user.id, role=role, place_id=place.id, granted_by_id=by.id if by else None)
    session.add(grant)
    session.flush()
    return grant


def do_revoke_role(session: Session, grant: RoleGrant) -> None:
    session.delete(grant)
    session.flush()


def role_label(role: str) -> str:
    return {
        Role.STAFF: _("社区工作者"),
        Role.COUNCIL: _("议事会成员"),
        Role.BUILDING_LEADER: _("楼栋长"),
        Role.SUPERVISOR: _("监督员"),
        Role.ADMIN: _("管理员"),
    }.get(role, role)
