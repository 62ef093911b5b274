"""What text Kairos keeps from people: one rule for every name (locations, resources, services in /v1;
people, projects and tokens in /portal and the CLI), one for webhook urls and descriptions, and the
normal form of an e-mail address. Names are shown to other people and put in mails and logs, so a name
that hides text (bidirectional controls that reorder what is shown, invisible characters, a name of only
zero-width spaces) or breaks a line (control characters: a header injected into a mail) is refused,
with the field's 422 (docs/security.md, "Bad data").

Each checker raises ValueError with the end of Laravel's sentence ("must not ..."), which the input models
turn into "The <field> field must not ...", as for every other rule.
"""

import re
import sys
import unicodedata
from collections.abc import Callable
from functools import cache

BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Letters and marks that render as nothing (Hangul fillers, braille blank, combining grapheme joiner, ...).
INVISIBLE = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u180e\u2800\u3164\uffa0")
JOINERS = frozenset("\u200c\u200d")  # zero-width (non-)joiners: part of Persian, Indic and emoji text
CONTROL = "must not contain control characters or line breaks"
BIDI = "must not contain bidirectional control characters"
HIDDEN = "must not contain invisible characters"


def _problem(text: str, *, line_breaks: bool = False) -> str | None:
    """Why `text` cannot be kept, or None. `line_breaks` allows tab, LF and CR (a description)."""
    for index, char in enumerate(text):
        category = unicodedata.category(char)
        if char in BIDI_CONTROLS:
            return BIDI
        if category in ("Cc", "Zl", "Zp") and not (line_breaks and char in "\t\n\r"):
            return CONTROL
        if char in JOINERS:  # only between two visible characters
            if not (0 < index < len(text) - 1 and _visible(text[index - 1]) and _visible(text[index + 1])):
                return HIDDEN
        elif category == "Cf" or char in INVISIBLE:
            return HIDDEN
    return None


def _visible(char: str) -> bool:
    return unicodedata.category(char)[0] in "LNPSM" and char not in INVISIBLE


def check_name(value: str) -> str:
    """A name (already trimmed): no control, bidirectional or invisible characters, and something to see."""
    problem = _problem(value)
    if problem is None and not any(_visible(c) and unicodedata.category(c)[0] != "M" for c in value):
        problem = "must contain a visible character"
    if problem is not None:
        raise ValueError(problem)
    return value


def _characters(keep: Callable[[str], bool]) -> str:
    """A regex character class's inside: every character `keep` takes, as ranges (BMP ones escaped,
    others written as themselves: one spelling that Python's, ECMA 262's and Rust's engines all read)."""

    def spelled(code: int) -> str:
        return f"\\u{code:04x}" if code <= 0xFFFF else chr(code)

    ranges: list[str] = []
    start = None
    for code in range(sys.maxunicode + 2):
        kept = code <= sys.maxunicode and keep(chr(code))
        if kept and start is None:
            start = code
        elif not kept and start is not None:
            ranges.append(spelled(start) + ("" if code - 1 == start else "-" + spelled(code - 1)))
            start = None
    return "".join(ranges)


@cache
def name_pattern() -> str:
    """`check_name` as an ECMA 262 (`u`) regex for the OpenAPI documents, unanchored (built when a document
    is, never at a cold start): no character it refuses, and one letter, number, punctuation mark or
    symbol (`\\p{L}` ...: what `_visible` calls visible, less the refused ones). Two differences: a
    zero-width joiner, which it takes between two visible characters, is left out (an engine without
    lookbehind cannot say that), and a validator on a newer Unicode than this Python's (14.0 on 3.11)
    takes letters this one does not know yet."""
    refused = _characters(lambda c: _problem(c) is not None or c in JOINERS)
    visible = f"(?![{refused}])[\\p{{L}}\\p{{N}}\\p{{P}}\\p{{S}}]"
    return f"[^{refused}]*{visible}[^{refused}]*"


@cache
def description_pattern() -> str:
    """`check_description` as an anchored regex (stricter in the same place as `name_pattern`)."""
    refused = _characters(lambda c: _problem(c, line_breaks=True) is not None or c in JOINERS)
    return f"^[^{refused}]*$"


def check_description(value: str) -> str:
    """Free text (a webhook's description): line breaks and tabs allowed, other controls not."""
    problem = _problem(value, line_breaks=True)
    if problem is not None:
        raise ValueError(problem)
    return value


# RFC 3986's characters: unreserved, reserved and "%" (followed by two hex digits).
_URL = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+")


def check_url_characters(value: str) -> str:
    """A url as it goes on the wire: RFC 3986's characters only, so nothing in it can break the request
    line or a header of the delivery (`urlsplit` silently drops tabs and line breaks, the http client does
    not). Spaces, quotes, `<>` and non-ASCII text must be percent-encoded (a host in its xn-- form)."""
    if not _URL.fullmatch(value):
        raise ValueError(
            "must contain only the characters of a URL (RFC 3986): percent-encode spaces, quotes, <, > and"
            " non-ASCII characters, and write an international host in its xn-- form"
        )
    return value


# --- e-mail addresses -----------------------------------------------------------------------------------

MAX_EMAIL = 128  # Cognito's username
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
# UTS 39's "highly restrictive" mixes: one script per label, or Latin with the scripts of Chinese,
# Japanese or Korean text.
_MIXES = (
    frozenset({"LATIN", "CJK", "HIRAGANA", "KATAKANA", "KATAKANA-HIRAGANA"}),
    frozenset({"LATIN", "CJK", "BOPOMOFO"}),
    frozenset({"LATIN", "CJK", "HANGUL"}),
)
INVALID_EMAIL = "must be a valid email address"


def normal_email(value: str) -> str:
    """An address as Kairos keys, stores and mails it: NFKC (full-width and other compatibility forms
    folded), in lower case, the domain in its IDNA (xn--) form. Refused: invisible, bidirectional and
    control characters; a local part that is not plain ASCII (dot-atom: SES sends no SMTPUTF8); a domain
    label mixing scripts (a Cyrillic `\u0430` among Latin letters: a look-alike of another address)."""
    text = unicodedata.normalize("NFKC", value.strip())
    for char in text:
        if char in BIDI_CONTROLS or char in INVISIBLE or unicodedata.category(char) in ("Cc", "Cf"):
            raise ValueError("must not contain invisible, control or bidirectional characters")
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain or any(c.isspace() for c in text):
        raise ValueError(INVALID_EMAIL)
    if not local.isascii():
        raise ValueError("must be written in ASCII before the @")
    if not _LOCAL.fullmatch(local) or len(local) > 64:
        raise ValueError(INVALID_EMAIL)
    try:
        ascii_domain = domain.encode("idna").decode("ascii").lower()
        shown = ascii_domain.encode("ascii").decode("idna")
    except UnicodeError:
        raise ValueError(INVALID_EMAIL) from None
    labels = ascii_domain.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        raise ValueError(INVALID_EMAIL)
    if any(_mixed_scripts(label) for label in shown.split(".")):
        raise ValueError("must not mix scripts within a part of its domain (a look-alike address)")
    address = f"{local.lower()}@{ascii_domain}"
    if len(address) > MAX_EMAIL:
        raise ValueError(f"must not be greater than {MAX_EMAIL} characters")
    return address


def _mixed_scripts(label: str) -> bool:
    scripts = {_script(c) for c in label if unicodedata.category(c).startswith("L")}
    return len(scripts) > 1 and not any(scripts <= mix for mix in _MIXES)


def _script(letter: str) -> str:
    """A letter's script, as the first word of its Unicode name says (LATIN, CYRILLIC, GREEK, CJK, ...)."""
    return unicodedata.name(letter, "UNKNOWN").split(" ", 1)[0]
