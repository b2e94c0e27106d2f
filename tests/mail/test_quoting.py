"""The new text of a reply is what the customer wrote now; the history they quoted goes aside."""

from __future__ import annotations

import pytest

from servicedesk.mail.quoting import split_html, split_reply

NEW = "Dobrý den,\nuž to funguje.\n\nJan"


@pytest.mark.parametrize(
    "history",
    [
        "Dne 12. 3. 2026 v 10:15 Jan Novák <jan@firma.cz> napsal(a):\n> Zkuste restart.",
        "Dne 12.3.2026 10:15, Podpora napsal:\n> Zkuste restart.",
        "Dne čt 12. 3. 2026 v 10:15 odesílatel Podpora <podpora@desk.example.com> napsala:\n> Zkuste restart.",
        "On Mon, Mar 2, 2026 at 10:15 AM X <x@y> wrote:\n> Zkuste restart.",
        "On Mon, Mar 2, 2026 at 10:15 AM Podpora <podpora@desk.example.com>\nwrote:\n\n> Zkuste restart.",
        "On 3/2/26 10:15 AM, Podpora wrote:\n> Zkuste restart.",
        "> On 2. 3. 2026, at 10:15, Podpora <podpora@desk.example.com> wrote:\n>\n> Zkuste restart.",
        "-----Original Message-----\nFrom: Podpora\nSent: Monday\n\nZkuste restart.",
        "-----Původní zpráva-----\nOd: Podpora\nOdesláno: pondělí\n\nZkuste restart.",
        "---------- Původní e-mail ----------\nOd: Podpora\nDatum: 9. 3. 2026\n\nZkuste restart.",
        "________________________________\nFrom: Podpora <p@d.cz>\nSent: Monday, March 9, 2026 5:00 PM\nZkuste.",
        "From: Podpora <p@d.cz>\nSent: Monday, March 9, 2026 5:00 PM\nTo: Jan\nSubject: x\n\nZkuste restart.",
        "Od: Podpora <p@d.cz>\nOdesláno: pondělí 9. března 2026 16:00\nKomu: Jan\n\nZkuste restart.",
        "*From:* Podpora <p@d.cz>\n*Date:* Mon, Mar 9, 2026\n\nZkuste restart.",
        "Podpora wrote on the ninth of March:\n> Zkuste restart.\n> Díky",
        "> Zkuste restart.\n> Díky",
        "-- \nJan Novák\nFirma s.r.o.",
    ],
)
def test_history_is_split_off(history):
    assert split_reply(f"{NEW}\n\n{history}\n") == (NEW, history)


def test_crlf_line_endings():
    assert split_reply("Hotovo.\r\n\r\nOn Mon, X <x@y> wrote:\r\n> a\r\n") == ("Hotovo.", "On Mon, X <x@y> wrote:\n> a")


def test_message_without_history_is_all_new():
    text = "Dobrý den,\nFrom: tohle je jen věta o odesílateli, ne hlavička.\n> citát uprostřed\na moje odpověď"
    assert split_reply(text) == (text, "")


def test_interleaved_answers_are_kept_whole():
    text = "> Funguje tisk?\nAno.\n> A skener?\nTaky."
    assert split_reply(text) == (text, "")


def test_nothing_new_keeps_everything_as_new():
    text = "-----Original Message-----\nFrom: Podpora\nSent: Monday\n\nZkuste restart."
    assert split_reply(text) == (text, "")


def test_the_first_marker_wins():
    text = "Díky.\n-- \nJan\n\nOn Mon, X <x@y> wrote:\n> a"
    assert split_reply(text) == ("Díky.", "-- \nJan\n\nOn Mon, X <x@y> wrote:\n> a")


def test_dashes_that_are_not_a_signature_stay():
    text = "Postup:\n--\nkrok 1 -- hotovo\n---"
    assert split_reply(text) == ("Postup:", "--\nkrok 1 -- hotovo\n---")  # "--" alone counts (Outlook trims)
    assert split_reply("a -- b\n--- c") == ("a -- b\n--- c", "")


@pytest.mark.parametrize(
    "quote",
    [
        '<div class="gmail_quote"><div class="gmail_attr">On Mon X wrote:</div><blockquote>old</blockquote></div>',
        '<blockquote type="cite">old</blockquote>',
        '<div id="divRplyFwdMsg" dir="ltr"><b>From:</b> X</div><div>old</div>',
        '<div class="moz-cite-prefix">Dne 9. 3. napsal(a):</div><blockquote type="cite">old</blockquote>',
        '<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"><p>From: X</p></div>',
    ],
)
def test_html_history_is_split_off(quote):
    assert split_html(f"<p>nové</p>{quote}") == ("<p>nové</p>", quote)


def test_html_without_new_part_is_not_split():
    html = '<blockquote type="cite">old</blockquote>'
    assert split_html(html) == (html, "")
    assert split_html("<p>only new</p>") == ("<p>only new</p>", "")
