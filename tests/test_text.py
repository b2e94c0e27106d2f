"""fold(): case and diacritics ignored, the same as the brute-force definition over any text."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from servicedesk.lib.text import fold


def reference(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def test_czech():
    assert fold("Příliš žluťoučký kůň úpěl ďábelské ódy") == "prilis zlutoucky kun upel dabelske ody"
    assert fold("ČERNÁ") == fold("černá") == "cerna"


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"])))
def test_fold_matches_the_reference_for_any_text(text):
    assert fold(text) == reference(text)
