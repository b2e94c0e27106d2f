"""Bounces name our message and the recipients that failed, standard (RFC 3464) or not."""

from __future__ import annotations

import email
import email.policy

from servicedesk.mail.bounces import NOT_A_BOUNCE, Bounce, detect


def message(raw: str):
    return email.message_from_bytes(raw.encode(), policy=email.policy.default)


def report(status: str, original: str) -> str:
    return (
        "From: MAILER-DAEMON@mx.example\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type="Delivery-Status"; boundary="r"\n\n'
        "--r\nContent-Type: text/plain\n\nDelivery failed.\n"
        f"--r\nContent-Type: message/delivery-status\n\n{status}\n"
        f"--r\n{original}\n--r--\n"
    )


STATUS = (
    "Reporting-MTA: dns; mx.example\n\n"
    "Final-Recipient: rfc822; a@firma.cz\nAction: failed\nStatus: 5.1.1\n\n"
    "Original-Recipient: rfc822;B@Firma.cz\nAction: Failed\nStatus: 5.2.2\n\n"
    "Final-Recipient: rfc822; c@firma.cz\nAction: delivered\nStatus: 2.0.0\n\n"
    "Final-Recipient: rfc822; d@firma.cz\nAction: delayed\nStatus: 4.4.1\n"
)
ORIGINAL_RFC822 = (
    "Content-Type: message/rfc822\n\nFrom: podpora@desk.example.com\nTo: a@firma.cz\n"
    "Message-ID: <ticket-7-reply-1@desk.example.com>\nSubject: x\n\nbody\n"
)
ORIGINAL_HEADERS = (
    "Content-Type: text/rfc822-headers\n\nFrom: podpora@desk.example.com\nMessage-ID: <t-8@desk.example.com>\n"
)


def test_dsn_with_the_original_message():
    bounce = detect(message(report(STATUS, ORIGINAL_RFC822)), "mailer-daemon@mx.example", "Delivery failed.")
    assert bounce == Bounce(True, "<ticket-7-reply-1@desk.example.com>", ("a@firma.cz", "b@firma.cz"))


def test_dsn_with_the_original_headers_only():
    bounce = detect(message(report(STATUS, ORIGINAL_HEADERS)), "mailer-daemon@mx.example", "")
    assert bounce.message_id == "<t-8@desk.example.com>"


def test_dsn_from_any_sender_is_a_bounce():
    bounce = detect(message(report(STATUS, ORIGINAL_HEADERS)), "noreply@bank.example", "")
    assert bounce.is_bounce and bounce.recipients == ("a@firma.cz", "b@firma.cz")


def test_dsn_that_only_reports_a_delay_has_no_failed_recipient():
    status = "Reporting-MTA: dns; mx.example\n\nFinal-Recipient: rfc822; d@firma.cz\nAction: delayed\n"
    bounce = detect(message(report(status, ORIGINAL_HEADERS)), "mailer-daemon@mx.example", "")
    assert bounce.is_bounce and bounce.recipients == ()


def test_qmail_style_bounce_without_attachment():
    text = (
        "Hi. This is the qmail-send program at mx.firma.cz.\nI'm afraid I wasn't able to deliver your message.\n\n"
        "<gone@firma.cz>:\nSorry, no mailbox here by that name.\n\n--- Below this line is a copy of the message.\n\n"
        "Message-ID: <ticket-9@desk.example.com>\nFrom: podpora@desk.example.com\n"
    )
    raw = f"From: MAILER-DAEMON@mx.firma.cz\nSubject: failure notice\n\n{text}"
    assert detect(message(raw), "mailer-daemon@mx.firma.cz", text) == Bounce(
        True, "<ticket-9@desk.example.com>", ("gone@firma.cz",)
    )


def test_ordinary_mail_is_not_a_bounce():
    raw = "From: jan@firma.cz\nSubject: Undelivered Mail Returned to Sender\n\nHi, <a@b.cz>: failed\n"
    assert detect(message(raw), "jan@firma.cz", "Hi, <a@b.cz>: failed") is NOT_A_BOUNCE


def test_report_of_another_type_is_not_a_bounce():
    raw = 'From: x@y.cz\nContent-Type: multipart/report; report-type=disposition-notification; boundary="r"\n\n--r--\n'
    assert detect(message(raw), "x@y.cz", "") is NOT_A_BOUNCE
