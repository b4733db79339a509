"""The only writers of accounts, claims and role grants."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from deliberate.accounts import passwords
from deliberate.accounts.models import ClaimStatus, ResidencyClaim, Role, RoleGrant, User
from deliberate.db import utcnow
from deliberate.places.models import Household, Member, Place
from deliberate.web import browser_sessions


class AccountError(ValueError):
    pass


def find_user(session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username)).first()


def do_register(session: Session, *, username: str, display_name: str, password: str,
                password_hash: str | None = None) -> User:
    """`password_hash`, if given, is `password` hashed already (the demo's accounts share one password)."""
    if find_user(session, username) is not None:
        raise AccountError("taken")
    user = User(username=username, display_name=display_name,
                password_hash=password_hash or passwords.hash_password(password))
    session.add(user)
    session.flush()
    return user


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    rehashed: bool = False


def authenticate(session: Session, *, username: str, password: str) -> LoginResult:
    """Checks the password in constant-ish time; renews a hash made with old parameters."""
    user = find_user(session, username)
    if user is None or not user.is_active:
        passwords.verify(passwords.DUMMY_HASH, password)
        return LoginResult(None)
    if not passwords.verify(user.password_hash, password):
        return LoginResult(None)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
        session.add(user)
        return LoginResult(user, rehashed=True)
    return LoginResult(user)


def do_change_password(session: Session, user: User, *, new_password: str, keep_session: str | None) -> int:
    """Sets the password and ends every other session of this account; returns how many ended."""
    user.password_hash = passwords.hash_password(new_password)
    session.add(user)
    assert user.id is not None
    return browser_sessions.end_all_for_user(session, user.id, keep=keep_session)


def do_set_email(session: Session, user: User, *, email: str, notifications: bool) -> None:
    user.email = email or None
    user.email_notifications = notifications
    session.add(user)
    session.flush()


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
        raise AccountError(open_claim.status)
    claim = ResidencyClaim(user_id=user.id, household_id=household.id, name=name, birth_year=birth_year, note=note)  # type: ignore[arg-type]
    session.add(claim)
    session.flush()
    return claim


def do_approve_claim(session: Session, claim: ResidencyClaim, *, by: User) -> Member:
    """Verifies the resident: links them to the register's member of that name and year, or adds one."""
    if claim.status != ClaimStatus.PENDING:
        raise AccountError(claim.status)
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
    claim.member_id = member.id
    claim.decided_by_id = by.id
    claim.decided_at = utcnow()
    session.add(claim)
    session.flush()
    return member


def do_reject_claim(session: Session, claim: ResidencyClaim, *, by: User, reason: str) -> ResidencyClaim:
    if claim.status != ClaimStatus.PENDING:
        raise AccountError(claim.status)
    claim.status = ClaimStatus.REJECTED
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


def claims_statement(place: Place, status: str):  # type: ignore[no-untyped-def]
    """Claims on households within a place, oldest first."""
    return (
        select(ResidencyClaim, Household, Place, User)
        .join(Household, Household.id == ResidencyClaim.household_id)
        .join(Place, Place.id == Household.building_id)
        .join(User, User.id == ResidencyClaim.user_id)
        .where(Place.path.startswith(place.path), ResidencyClaim.status == status)  # type: ignore[attr-defined]
        .order_by(ResidencyClaim.created_at, ResidencyClaim.id)
    )


def claims_of(session: Session, user: User) -> list[tuple[ResidencyClaim, Household, Place]]:
    rows = session.exec(
        select(ResidencyClaim, Household, Place)
        .join(Household, Household.id == ResidencyClaim.household_id)
        .join(Place, Place.id == Household.building_id)
        .where(ResidencyClaim.user_id == user.id)
        .order_by(ResidencyClaim.created_at.desc(), ResidencyClaim.id.desc())  # type: ignore[attr-defined, union-attr]
    ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def do_grant_role(session: Session, *, user: User, role: str, place: Place, by: User | None) -> RoleGrant:
    if role not in Role.ALL:
        raise AccountError("role")
    if role == Role.BUILDING_LEADER and place.kind != "building":
        raise AccountError("building_leader")
    existing = session.exec(
        select(RoleGrant).where(RoleGrant.user_id == user.id, RoleGrant.role == role, RoleGrant.place_id == place.id)
    ).first()
    if existing is not None:
        return existing
    grant = RoleGrant(user_id=user.id, role=role, place_id=place.id, granted_by_id=by.id if by else None)  # type: ignore[arg-type]
    session.add(grant)
    session.flush()
    return grant


def do_revoke_role(session: Session, grant: RoleGrant) -> None:
    session.delete(grant)
    session.flush()


def grants_on(session: Session, place: Place) -> list[tuple[RoleGrant, User]]:
    rows = session.exec(
        select(RoleGrant, User).join(User, User.id == RoleGrant.user_id)
        .where(RoleGrant.place_id == place.id).order_by(RoleGrant.role, User.display_name)
    ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def role_label(role: str) -> str:
    from deliberate.i18n import gettext as _

    return {
        Role.STAFF: _("社区工作者"),
        Role.COUNCIL: _("议事会成员"),
        Role.BUILDING_LEADER: _("楼栋长"),
        Role.SUPERVISOR: _("监督员"),
        Role.ADMIN: _("管理员"),
    }.get(role, role)
