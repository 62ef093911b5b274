"""A person using the Portal's admin API on the local server: register, read the mail from the local
outbox, verify, log in, and call the admin routes with the ID token."""

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

PASSWORD = "Correct-Horse-42"
LINK = re.compile(r"https?://\S+\?token=(\S+)")


def mails_to(outbox: Path, address: str) -> list[str]:
    """The mails sent to `address`, oldest first (file names start with the time they were written)."""
    suffix = f"-{address.lower()}.txt"
    return [p.read_text() for p in sorted(outbox.glob("*.txt")) if p.name.endswith(suffix)]


def last_link_token(outbox: Path, address: str) -> str:
    mails = mails_to(outbox, address)
    assert mails, f"no mail to {address}"
    found = LINK.search(mails[-1])
    assert found, mails[-1]
    return found.group(1)


@dataclass
class Person:
    base_url: str  # http://127.0.0.1:<port>
    outbox: Path
    email: str = field(default_factory=lambda: f"dev-{uuid.uuid4().hex[:10]}@example.com")
    name: str = "Mr. Developer"
    id_token: str = ""
    session: requests.Session = field(default_factory=requests.Session)

    def call(self, method: str, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.id_token}"} if self.id_token else {}
        return self.session.request(
            method, f"{self.base_url}/portal{path}", json=json, headers=headers, timeout=30, **kwargs
        )

    def register(self) -> requests.Response:
        body = {
            "name": self.name,
            "email": self.email,
            "password": PASSWORD,
            "password_confirmation": PASSWORD,
        }
        return self.call("POST", "/account/register", body)

    def verify(self, password: str = PASSWORD) -> requests.Response:
        """Opens the latest mailed link with the password registered (the link asks for it)."""
        token = last_link_token(self.outbox, self.email)
        return self.call("POST", "/account/verify", {"token": token, "password": password})

    def log_in(self, password: str = PASSWORD) -> requests.Response:
        answer = self.call("POST", "/session", {"email": self.email, "password": password})
        if answer.status_code == 200:
            self.id_token = answer.json()["id_token"]
        return answer

    def signed_up(self) -> "Person":
        """Registered, verified and logged in."""
        assert self.register().status_code == 202
        assert self.verify().status_code == 200
        assert self.log_in().status_code == 200
        return self


NewPerson = Callable[[], Person]  # the `new_person` fixture (tests/integration/conftest.py)
