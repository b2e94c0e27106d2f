"""Every message of the corpus in tests/mail/eml/ (described in its README) parsed into what the ingester needs."""

from __future__ import annotations

import base64
import datetime as dt
import time
from pathlib import Path

import pytest

from servicedesk.mail.parsing import ParsedMessage, html_to_text, parse, sanitize_html

CORPUS = Path(__file__).parent / "eml"


@pytest.fixture(autouse=True)
def our_domain(settings):
    settings.MAIL_DOMAIN = "desk.example.com"
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024


def parsed(name: str) -> ParsedMessage:
    return parse((CORPUS / name).read_bytes())


def test_plain_utf8():
    message = parsed("plain_utf8.eml")
    assert message.message_id == "<CAF3x9q1m2aB@mail.firma.cz>"
    assert message.subject == "Nefunguje tisk na tiskárně v přízemí"
    assert (message.from_name, message.from_address) == ("Jan Novák", "jan.novak@firma.cz")
    assert message.to == ("podpora@desk.example.com",)
    assert message.cc == ("petra.svobodova@firma.cz",)  # the comma in the quoted name does not split it
    assert message.date == dt.datetime(2026, 3, 2, 9, 15, 40, tzinfo=dt.UTC)
    assert message.text.startswith("Dobrý den,\n\nod rána nám nefunguje tisk")
    assert message.text.endswith("Děkuji,\nJan Novák")
    assert (message.quoted, message.html, message.attachments) == ("", "", ())
    assert (message.automatic_reason, message.is_bounce, message.defects) == ("", False, ())


def test_quoted_printable_with_soft_line_breaks():
    message = parsed("quoted_printable.eml")
    assert message.subject == "Požadavek na nový účet"
    assert message.from_name == "Petra Svobodová"  # an encoded word between plain words
    assert "pro kolegu Karla Dvořáka, nastupuje v pondělí." in message.text


def test_base64_body():
    assert parsed("base64_body.eml").text == (
        "Dobrý den,\n\nzapomněl jsem heslo do VPN. Můžete mi ho prosím resetovat?\n\nKarel"
    )


def test_iso_8859_2_body_and_headers():
    message = parsed("iso_8859_2.eml")
    assert message.subject == "Nejde přihlášení do pošty"
    assert message.from_name == "Jiří Procházka"
    assert "přihlášení do pošty, píše to špatné heslo. Žluťoučký kůň." in message.text


def test_windows_1250_quoted_printable():
    message = parsed("windows_1250.eml")
    assert message.subject == "Chyba v účetnictví"
    assert message.from_name == "Marie Černá"
    assert "chyba „Databáze je uzamčena“.\nProsíme o řešení, šéf čeká." in message.text


def test_html_only_gets_a_readable_text_and_safe_html():
    message = parsed("html_only.eml")
    assert (
        message.text
        == "Dobrý den,\n\nVPN hlásí chybu 809.\nZkoušela jsem restart.\n\nWindows 11\nFortiClient 7.2\n\nnávod\n\nEva"
    )
    html = message.html
    assert "<b>chybu 809</b>" in html and 'href="https://firma.cz/navod"' in html
    for unsafe in ("<script", "alert", "evil.example", "onclick", "onload", "tracker.example", "<title", "Zpráva"):
        assert unsafe not in html


def test_alternative_keeps_both_versions():
    message = parsed("alternative.eml")
    assert message.text == "Server SRV-02 odpovídá velmi pomalu."
    assert message.html.strip() == "<div>Server <b>SRV-02</b> odpovídá velmi pomalu.</div>"
    assert message.attachments == ()


def test_nested_mixed_related_with_inline_image():
    message = parsed("related_inline_image.eml")
    assert message.text == "Chyba je na obrázku."
    assert 'src="cid:image001.png@01DA1234.ABCDEF00"' in message.html
    image, log = message.attachments
    assert (image.filename, image.content_type, image.inline) == ("image001.png", "image/png", True)
    assert image.content_id == "image001.png@01DA1234.ABCDEF00"
    assert image.content.startswith(b"\x89PNG")
    assert (log.filename, log.content_type, log.inline, log.content_id) == ("log.pdf", "application/pdf", False, "")
    assert log.content.startswith(b"%PDF-1.4")


def test_czech_attachment_names():
    names = [attachment.filename for attachment in parsed("czech_attachment_names.eml").attachments]
    assert names == [
        "Výpis chyb – server č. 2.pdf",  # RFC 2231
        "Žluťoučký kůň úpěl.txt",  # RFC 2231 continuations
        "Přehled záloh.xlsx",  # RFC 2047 inside the quoted name, as Outlook writes it
        "evil.exe",  # no directories
    ]


def test_attached_message_is_kept_as_eml_named_by_its_subject():
    message = parsed("attached_eml.eml")
    assert message.text == "Přišel nám tenhle e-mail, je to phishing?"
    (attached,) = message.attachments
    assert (attached.filename, attached.content_type) == ("Ověřte svůj účet.eml", "message/rfc822")
    inner = parse(attached.content)
    assert inner.message_id == "<phish-1@banka-podvod.example>"
    assert inner.text == "Klikněte zde: https://banka-podvod.example/login"


def test_winmail_dat_is_an_ordinary_attachment():
    message = parsed("winmail_dat.eml")
    assert message.text == "Smlouva je v priloze."
    (winmail,) = message.attachments
    assert (winmail.filename, winmail.content_type) == ("winmail.dat", "application/ms-tnef")
    assert winmail.content == base64.b64decode("eJ8+IgEAAQIIAAEAAAAA")


@pytest.mark.parametrize(
    ("name", "new", "quoted_start", "quoted_end"),
    [
        (
            "reply_outlook_cs.eml",
            "Dobrý den,\npo restartu to funguje, děkujeme.\n\nS pozdravem\nJan Novák",
            "-----Původní zpráva-----",
            "zkuste prosím restartovat tiskový server.",
        ),
        (
            "reply_outlook_en.eml",
            "Hi,\n\nthe backup ran fine tonight. You can close the ticket.\n\nRegards,\nJohn",
            "________________________________\nFrom: Support",
            "We re-ran the job; please check tomorrow.",
        ),
        (
            "reply_gmail.eml",
            "Uz to jde, diky!\n\nPavel",
            "On Mon, Mar 9, 2026",
            "> Dobrý den, účet jsme odblokovali.\n>",
        ),
        (
            "reply_thunderbird_cs.eml",
            "Wi-Fi ve sborovně je stále pomalá, hlavně odpoledne.",
            "Dne 09. 03. 26 v 15:10 Podpora napsal(a):",
            "-- \nMgr. Alena Veselá\nZŠ Lhota",
        ),
        (
            "reply_apple_mail.eml",
            "Certifikát jsem nainstaloval, díky.\n\nMartin",
            "> On 9. 3. 2026, at 17:45, Podpora",
            "posíláme nový certifikát.",
        ),
        (
            "reply_seznam.eml",
            "Internet už jde, můžete uzavřít.\nF. Dvořák",
            "---------- Původní e-mail ----------",
            'restartujte prosím router."',
        ),
        (
            "reply_html_only_outlook.eml",
            "Po aktualizaci už Outlook nepadá.\n\nAdam",
            "From: Podpora\nSent: Monday",
            "Nainstalujte prosím aktualizaci KB5031234.",
        ),
    ],
)
def test_replies_split_new_text_from_history(name, new, quoted_start, quoted_end):
    message = parsed(name)
    assert message.text == new
    assert message.quoted.startswith(quoted_start)
    assert message.quoted.endswith(quoted_end)
    assert message.thread_ids[0].endswith("@desk.example.com>")
    assert message.automatic_reason == ""


def test_reply_threading_headers():
    message = parsed("reply_outlook_cs.eml")
    assert message.in_reply_to == ("<ticket-1042-reply-3@desk.example.com>",)
    assert message.references == ("<ticket-1042@desk.example.com>", "<ticket-1042-reply-3@desk.example.com>")
    assert message.thread_ids == message.references[::-1]
    assert message.date == dt.datetime(2026, 3, 10, 10, 20, tzinfo=dt.UTC)
    # The HTML keeps the whole reply (the agent may want to read it), sanitized.
    assert "Původní" not in message.html and "zkuste prosím restartovat" in message.html


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("ooo_exchange.eml", "Auto-Submitted: auto-replied"),
        ("ooo_gmail_vacation.eml", "Precedence: bulk"),
        ("ooo_subject_only.eml", "auto-reply subject (nepřítomen)"),
        ("mailing_list.eml", "List-Id present (mailing list)"),
        ("newsletter_bulk.eml", "Precedence: bulk"),
        ("own_loop.eml", "X-Loop: servicedesk@desk.example.com (our own mail)"),
        ("own_loop_x_loop_only.eml", "X-Loop: servicedesk@desk.example.com (our own mail)"),
    ],
)
def test_automatic_messages_say_why(name, reason):
    message = parsed(name)
    assert message.automatic_reason == reason
    assert message.is_automatic and not message.is_bounce


def test_judged_headers_are_kept_under_lower_case_names():
    headers = parsed("ooo_exchange.eml").headers
    assert headers["auto-submitted"] == "auto-replied"
    assert headers["x-auto-response-suppress"] == "All"
    assert headers["subject"] == "Automatická odpověď: [#1042] Nefunguje tisk"
    assert "x-ms-exchange-inbox-rules-loop" not in headers


def test_our_message_id_is_a_loop_even_without_x_loop(settings):
    raw = (CORPUS / "own_loop.eml").read_bytes().replace(b"X-Loop: servicedesk@desk.example.com\n", b"")
    assert parse(raw).automatic_reason == "Message-ID is ours (our own mail came back)"
    settings.MAIL_DOMAIN = "other.example"
    assert parse(raw).automatic_reason == ""


def test_newsletter_images_from_the_network_are_not_loaded():
    html = parsed("newsletter_bulk.eml").html
    assert "itshop.example" not in html and "Jarní slevy až 40 %." in html


def test_dsn_bounce_names_our_message_and_the_failed_recipient():
    message = parsed("dsn_bounce.eml")
    assert message.is_bounce and message.is_automatic
    assert message.bounced_message_id == "<ticket-1050-reply-1@desk.example.com>"
    assert message.bounced_recipients == ("nobody@firma.cz",)  # slow@firma.cz is only delayed
    assert message.attachments == ()


def test_non_standard_bounce_from_postmaster():
    message = parsed("nonstandard_bounce.eml")
    assert message.is_bounce
    assert message.automatic_reason == "bounce (delivery report)"
    assert message.bounced_message_id == "<ticket-1051-reply-2@desk.example.com>"
    assert message.bounced_recipients == ("former.employee@firma.cz",)  # not the Cc that got it


def test_forwarded_message_from_a_person_is_not_a_bounce():
    message = parsed("attached_eml.eml")
    assert (message.is_bounce, message.bounced_message_id, message.automatic_reason) == (False, "", "")


def test_missing_boundary_reads_the_body_as_text():
    message = parsed("malformed_missing_boundary.eml")
    assert message.text == "Tohle je text bez hranice."
    assert "NoBoundaryInMultipartDefect" in message.defects


def test_broken_base64_is_reported_and_the_rest_still_read():
    message = parsed("malformed_broken_base64.eml")
    assert message.text.startswith("Dobr")
    assert "InvalidBase64CharactersDefect" in message.defects
    assert [attachment.filename for attachment in message.attachments] == ["zprava.pdf"]


def test_unknown_charset_falls_back_to_windows_1250():
    message = parsed("malformed_bad_charset.eml")
    assert message.text == "Tiskárna tiskne prázdné stránky."
    assert message.subject == "Tiskárna"
    assert "unknown charset: x-mac-unknown" in message.defects


def test_declared_charset_that_lies_falls_back():
    assert parsed("malformed_wrong_charset.eml").text == "Faktura č. 2026-001 je špatně."


def test_header_line_without_colon_is_dropped_not_the_headers_after_it():
    message = parsed("malformed_header_without_colon.eml")
    assert message.subject == "Header without colon"
    assert message.message_id == "<nocolon-1@firma.cz>"
    assert message.date is None  # "not a date at all"
    assert message.text == "Text zprávy."
    assert "header line without colon dropped (1)" in message.defects


def test_8bit_headers_in_utf8_and_windows_1250():
    message = parsed("malformed_8bit_headers.eml")
    assert message.from_name == "Tomáš Král"
    assert message.subject == "Účetní program padá"


def test_too_large_attachment_is_skipped_and_noted(settings):
    settings.ATTACHMENT_MAX_BYTES = 100_000
    big = base64.encodebytes(b"\x00" * 3_000_000).decode()
    small = base64.encodebytes(b"%PDF-1.4 small").decode()
    raw = (
        "From: a@firma.cz\nTo: podpora@desk.example.com\nSubject: velka priloha\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="b"\n\n'
        "--b\nContent-Type: text/plain; charset=utf-8\n\nPosílám zálohu.\n"
        '--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename="záloha.bak"\n'
        f"Content-Transfer-Encoding: base64\n\n{big}"
        '--b\nContent-Type: application/pdf\nContent-Disposition: attachment; filename="malá.pdf"\n'
        f"Content-Transfer-Encoding: base64\n\n{small}--b--\n"
    ).encode()
    message = parse(raw)
    assert message.text == "Posílám zálohu."
    assert [attachment.filename for attachment in message.attachments] == ["malá.pdf"]
    assert "attachment too large: záloha.bak" in message.defects


def test_attachment_at_the_limit_is_kept(settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    content = base64.encodebytes(b"x" * 1000).decode()
    raw = (
        'From: a@firma.cz\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"\n\n--b\n'
        "Content-Type: text/plain\n\nahoj\n--b\nContent-Type: application/octet-stream\n"
        f'Content-Disposition: attachment; filename="a.bin"\nContent-Transfer-Encoding: base64\n\n{content}--b--\n'
    ).encode()
    assert [len(attachment.content) for attachment in parse(raw).attachments] == [1000]
    settings.ATTACHMENT_MAX_BYTES = 999
    assert parse(raw).attachments == () and "attachment too large: a.bin" in parse(raw).defects


def test_very_large_text_message_is_read_whole():
    line = "Řádek logu: chyba při zápisu na disk /dev/sda1.\n"
    raw = ("From: a@firma.cz\nSubject: log\nContent-Type: text/plain; charset=utf-8\n\n" + line * 200_000).encode()
    message = parse(raw)
    assert len(message.text) == len((line * 200_000).strip())


def test_never_raises_on_nonsense():
    for raw in (b"", b"\x00\xff" * 100, b"Content-Type: multipart/mixed; boundary=x\n\n--x\n--x--", b":\n\n"):
        assert isinstance(parse(raw), ParsedMessage)


def test_settings_can_be_passed_explicitly():
    raw = (CORPUS / "own_loop.eml").read_bytes()
    assert parse(raw, mail_domain="other.example").automatic_reason == ""


def test_sanitize_html_keeps_cid_images_and_drops_remote_ones():
    html = sanitize_html('<img src="cid:a@b"><img src="https://x.example/p.gif"><img src="//x.example/p.gif">')
    assert html.count("<img") == 3
    assert 'src="cid:a@b"' in html and "x.example" not in html


def test_html_to_text_keeps_line_breaks():
    assert html_to_text("<p>a<br>b</p><div>c</div><div>d</div><table><tr><td>e</td><td>f</td></tr></table>") == (
        "a\nb\n\nc\nd\n\ne f"
    )
    assert html_to_text("<style>x{}</style>&lt;tag&gt; &amp; &nbsp;") == "<tag> &"


def test_empty_text_part_beside_html_reads_the_html():
    raw = (
        'From: a@firma.cz\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary="b"\n\n'
        "--b\nContent-Type: text/plain; charset=utf-8\n\n \n"
        "--b\nContent-Type: text/html; charset=utf-8\n\n<p>Jen v HTML.</p>"
        '<blockquote type="cite">stará zpráva</blockquote>\n--b--\n'
    ).encode()
    message = parse(raw)
    assert (message.text, message.quoted) == ("Jen v HTML.", "stará zpráva")


@pytest.mark.parametrize("markup", [b"<div class=x ", b"<head ", b"<blockquote style=a ", b"<p><b>x"])
def test_crafted_html_is_read_in_linear_time(markup):
    # Before the bounded patterns, 8,000 unclosed <div took seconds and 100,000 minutes (a worker stuck on one mail).
    raw = b"From: a@firma.cz\nContent-Type: text/html\n\n" + markup * 50_000
    started = time.perf_counter()
    assert isinstance(parse(raw), ParsedMessage)
    assert time.perf_counter() - started < 10
