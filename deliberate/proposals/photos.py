"""Uploaded photos and scanned documents: checked by size and by what the bytes are, not by the name given."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from deliberate.accounts.models import User
from deliberate.i18n import gettext as _
from deliberate.proposals.models import Photo, Proposal
from deliberate.proposals.rules import ProposalError

Upload = tuple[str, bytes]  # a file as it was sent: its name and its bytes
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTOS_PER_UPLOAD = 6
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def sniff(data: bytes) -> str | None:
    """The image type the bytes really are (JPEG, PNG, GIF, WebP), or None."""
    for signature, content_type in _SIGNATURES:
        if data.startswith(signature):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def check(name: str, data: bytes) -> str:
    """The content type of an acceptable photo, or ProposalError (422) naming the file."""
    if len(data) > MAX_PHOTO_BYTES:
        raise ProposalError(_("照片“%(name)s”超过 5 MB，请缩小后再传。", name=name[:80]), 422)
    content_type = sniff(data)
    if content_type is None:
        raise ProposalError(_("“%(name)s”不是 JPEG、PNG、GIF 或 WebP 图片。", name=name[:80]), 422)
    return content_type


def do_attach(session: Session, proposal: Proposal, by: User, owner_kind: str, owner_id: int | None,
              files: Sequence[Upload]) -> list[Photo]:
    """Store checked photos; the caller has checked every file with `check` before saving anything else."""
    if len(files) > MAX_PHOTOS_PER_UPLOAD:
        raise ProposalError(_("一次最多上传 %(n)s 张照片。", n=MAX_PHOTOS_PER_UPLOAD), 422)
    if not files:
        return []
    photos = []
    for name, data in files:
        photo = Photo(proposal_id=proposal.id, owner_kind=owner_kind, owner_id=owner_id,
                      content_type=check(name, data), size=len(data), data=data, uploaded_by_id=by.id)
        session.add(photo)
        photos.append(photo)
    session.flush()
    return photos


def photos_of(session: Session, proposal: Proposal) -> dict[tuple[str, int | None], list[int]]:
    """Photo ids grouped by what they illustrate, without loading the bytes."""
    rows = session.exec(
        select(Photo.id, Photo.owner_kind, Photo.owner_id).where(Photo.proposal_id == proposal.id)
        .order_by(col(Photo.id))
    ).all()
    grouped: dict[tuple[str, int | None], list[int]] = {}
    for photo_id, kind, owner_id in rows:
        grouped.setdefault((kind, owner_id), []).append(photo_id)
    return grouped
