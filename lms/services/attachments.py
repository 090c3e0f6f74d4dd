"""Case attachments: call recordings and chat screenshots, checked by size and by what the file
really is (its first bytes, not its name), stored under paths.uploads/cases/ with a random
name, and served only to people who may see the case."""
from __future__ import annotations

import re
import uuid
from pathlib import Path

from ..models import Case, CaseAttachment, User
from .messages import N_

MAX_BYTES = 10 * 1024 * 1024
# what a file starts with -> (content type, extension); the name's extension must agree
SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"ID3", "audio/mpeg", ".mp3"),
    (b"\xff\xfb", "audio/mpeg", ".mp3"),
    (b"\xff\xf3", "audio/mpeg", ".mp3"),
    (b"#!AMR", "audio/amr", ".amr"),
)
EXTENSIONS = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".mp3": "audio/mpeg",
              ".wav": "audio/wav", ".m4a": "audio/mp4", ".amr": "audio/amr"}


class AttachmentError(ValueError):
    """The file is refused; the message (a catalog string) says why."""


def sniff(head: bytes) -> str | None:
    """The content type a file's first bytes show, or None."""
    for signature, content_type, _ext in SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[4:8] == b"ftyp":
        return "audio/mp4"
    return None


def clean_name(filename: str) -> str:
    name = Path(filename or "file").name
    return re.sub(r"[\x00-\x1f\\/:*?\"<>|]", "_", name)[:200] or "file"


def save(case: Case, data: bytes, filename: str, uploader: User, folder: Path,
         max_bytes: int = MAX_BYTES) -> CaseAttachment:
    name = clean_name(filename)
    extension = Path(name).suffix.lower()
    if extension not in EXTENSIONS:
        raise AttachmentError(N_("only recordings (mp3, wav, m4a, amr) and screenshots (png, jpg) can be attached"))
    if not data:
        raise AttachmentError(N_("the file is empty"))
    if len(data) > max_bytes:
        raise AttachmentError(N_("the file is larger than the limit for attachments"))
    content_type = sniff(data[:16])
    if content_type != EXTENSIONS[extension]:
        raise AttachmentError(N_("the file's content does not match its name"))
    stored = f"{uuid.uuid4().hex}{extension}"
    target = folder / "cases"
    target.mkdir(parents=True, exist_ok=True)
    (target / stored).write_bytes(data)
    return CaseAttachment.create(case=case, filename=name, stored_name=stored, content_type=content_type,
                                 size=len(data), uploaded_by=uploader)


def path_of(attachment: CaseAttachment, folder: Path) -> Path:
    return folder / "cases" / attachment.stored_name
