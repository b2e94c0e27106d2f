"""Whatever arrives, `parse` returns a ParsedMessage: mangled corpus messages and random bytes."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicedesk.mail.parsing import ParsedMessage, parse

CORPUS = sorted((Path(__file__).parent / "eml").glob("*.eml"))
SAMPLES = [path.read_bytes() for path in CORPUS]
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(raw: bytes) -> None:
    message = parse(raw, mail_domain="desk.example.com", attachment_max_bytes=10_000)
    assert isinstance(message, ParsedMessage)
    # The last-resort handler in parse() is for what nobody foresaw; the fuzzed inputs must not need it.
    assert not any(defect.startswith("unreadable message") for defect in message.defects), message.defects
    for value in (message.text, message.quoted, message.html, message.subject, message.from_name):
        assert isinstance(value, str)
        value.encode("utf-8")  # no lone surrogates: everything can be stored and shown
        assert "\x00" not in value
    for attachment in message.attachments:
        assert isinstance(attachment.content, bytes) and "/" not in attachment.filename


@FUZZ
@given(st.sampled_from(SAMPLES), st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=20))
def test_byte_flips(raw, flips):
    mangled = bytearray(raw)
    for position, value in flips:
        mangled[position % len(mangled)] = value
    check(bytes(mangled))


@FUZZ
@given(st.sampled_from(SAMPLES), st.floats(0, 1))
def test_truncation(raw, fraction):
    check(raw[: int(len(raw) * fraction)])


@FUZZ
@given(st.sampled_from(SAMPLES), st.data())
def test_header_duplication_and_shuffling(raw, data):
    head, _, body = raw.partition(b"\n\n")
    lines = head.split(b"\n")
    extra = data.draw(st.lists(st.sampled_from(lines), max_size=10))
    order = data.draw(st.permutations([*lines, *extra]))
    check(b"\n".join(order) + b"\n\n" + body)


@FUZZ
@given(st.sampled_from(SAMPLES), st.binary(max_size=300), st.integers(0, 10**6))
def test_random_bytes_inserted(raw, junk, position):
    position %= len(raw) + 1
    check(raw[:position] + junk + raw[position:])


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes(raw):
    check(raw)


@FUZZ
@given(
    st.lists(
        st.sampled_from(
            [
                b"Content-Type: multipart/mixed; boundary=x\n",
                b"Content-Type: message/rfc822\n",
                b"Content-Type: multipart/report; report-type=delivery-status; boundary=x\n",
                b"Content-Type: message/delivery-status\n",
                b"Content-Type: text/html; charset=utf-7\n",
                b'Content-Type: text/plain; charset="\xff\xfe"\n',
                b"Content-Transfer-Encoding: base64\n",
                b"Content-Transfer-Encoding: quoted-printable\n",
                b"Content-Disposition: attachment; filename*=bogus''%ZZ%C3\n",
                b"Subject: =?utf-8?B?!!!?= =?x?Q?=ZZ?=\n",
                b'From: "=?utf-8?q?a?=" <<>@>\n',
                b"Date: Mon, 99 Foo 99999 99:99:99 +9999\n",
                b"\n",
                b"--x\n",
                b"--x--\n",
                b"<html><img src=x onerror=alert(1)><blockquote type=cite>q</blockquote>\n",
                b"=C3=\n",
                b"\xc5\xbe\xe8\n",
            ]
        ),
        max_size=40,
    )
)
def test_structure_soup(pieces):
    check(b"".join(pieces))
