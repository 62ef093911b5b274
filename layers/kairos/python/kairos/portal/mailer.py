"""The mailers behind the `Mailer` port. Deployed: Amazon SES (the stack names the sender). Locally: each
mail is written to `<data dir>/outbox/` as a file, and its links are printed in the server's log, since
no mail leaves a developer's machine. Chosen by the settings (`Container.mailer`), nothing else differs.

Header values (the subject, the address) are put on one line by both (`one_line`): whatever a caller hands
over, no line break can start a header of its own (a `Bcc:` injected through a name)."""

import re
import sys
import threading
import time
import unicodedata
from functools import cached_property
from pathlib import Path
from typing import Any

from kairos import aws_clients
from kairos.observability import logger

LINK = re.compile(r"https?://\S+")


def one_line(value: str) -> str:
    """A header value: every control character and line or paragraph separator becomes a space."""
    return "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in value)


class SesMailer:
    def __init__(self, region: str, sender: str) -> None:
        self._region = region
        self._sender = sender

    @cached_property
    def _client(self) -> Any:
        """Made at the first mail: most requests of the Portal's functions send none."""
        return aws_clients.client("sesv2", region_name=self._region)

    def send(self, to: str, subject: str, text: str) -> None:
        self._client.send_email(
            FromEmailAddress=self._sender,
            Destination={"ToAddresses": [to]},
            Content={"Simple": {"Subject": {"Data": one_line(subject)}, "Body": {"Text": {"Data": text}}}},
        )
        logger.info("mail sent", extra={"subject": one_line(subject)})  # not the address, not the links


class OutboxMailer:
    """One file per mail, `<time>-<n>-<address>.txt`, with the headers a reader needs, in send order."""

    _lock = threading.Lock()
    _count = 0

    def __init__(self, folder: Path) -> None:
        self._folder = folder

    def send(self, to: str, subject: str, text: str) -> None:
        with OutboxMailer._lock:
            OutboxMailer._count += 1
            number = OutboxMailer._count
        self._folder.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^a-z0-9@._-]", "_", to.lower())
        path = self._folder / f"{time.time_ns()}-{number:06d}-{safe}.txt"
        temporary = path.with_suffix(".tmp")
        temporary.write_text(f"To: {one_line(to)}\nSubject: {one_line(subject)}\n\n{text}", encoding="utf-8")
        temporary.replace(path)  # a reader never sees half a mail
        for link in LINK.findall(text):
            print(f"Mail to {to} ({subject}): {link}", file=sys.stderr, flush=True)
