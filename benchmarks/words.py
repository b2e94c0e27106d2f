"""Invented but realistic service-desk text for the benchmark tickets and the search queries over them.

Czech and English words as customers and agents write them. A ticket is about one topic (printers, VPN,
passwords, ...); topics near the top of the list are more frequent, so a search word matches from a few hundred
to several thousand of the 100,000 tickets, while the common words ("prosím", "nefunguje") match nearly all.
"""

from __future__ import annotations

import random

# Each ticket is about one topic; its text mixes the topic's words with the words of every ticket.
TOPICS = [
    "tiskárna tiskne toner papír zaseknutý kyocera hp skener kopírka fronta ovladač printer",
    "vpn připojení forticlient tunel domácí home office token certifikát connection",
    "heslo přihlášení zablokovaný účet odemknout resetovat expirace password login locked",
    "outlook pošta e-mail mailbox schránka kvóta příloha spam phishing odeslat doručení",
    "wifi síť internet kabel switch router firewall dns dhcp proxy latency packet",
    "notebook počítač monitor displej obrazovka dokovací stanice baterie nabíječka laptop",
    "server disk záloha obnova backup restore storage replikace cluster vmware virtual",
    "excel word teams office licence aktualizace instalace aplikace windows update",
    "telefon mobil sim linka ústředna hlasová schránka headset sluchátka mikrofon",
    "databáze sql pohoda helios účetnictví faktura mzdy objednávka export import",
    "nástup odchod zaměstnanec onboarding offboarding oprávnění přístup skupina složka",
    "web stránka portál formulář certifikátu ssl doména apache nginx timeout",
    "projektor zasedačka kamera zvuk porada schůzka kalendář pozvánka zasedací",
    "antivirus virus karanténa blokace eset malware podezřelý soubor",
    "klávesnice myš černá modrá zamrzá padá restart pomalý pomalu freezes crash",
]
COMMON = """
dobrý den prosím děkuji nefunguje nejde nelze nemohu potřebuji urgentně dnes zítra ráno odpoledne kolega
kolegyně kancelář uživatel problém chyba hlášení stále znovu opět už od včera hello please thanks cannot
unable error issue still again since yesterday urgent
"""

SURNAMES = """
novák svoboda novotný dvořák černý procházka kučera veselý horák němec marek pokorný pospíšil hájek král
jelínek růžička beneš fiala sedláček doležal zeman kolář navrátil čermák vaněk urban blažek kříž kovář
"""

NAMES = SURNAMES.split()
TOPIC_WORDS: list[list[str]] = [topic.split() for topic in TOPICS]
# Some topics are far more frequent than others (printers and passwords, not projectors).
TOPIC_WEIGHTS: list[float] = [1 / (rank + 2) for rank in range(len(TOPICS))]
COMMON_WORDS: list[str] = COMMON.split()

SUBJECT_OPENINGS = [
    "Nefunguje",
    "Problém s",
    "Prosím o",
    "Chyba:",
    "Požadavek na",
    "Cannot use",
    "Issue with",
    "Request:",
    "Porucha",
    "Dotaz na",
]


def topic(rng: random.Random) -> int:
    return rng.choices(range(len(TOPICS)), weights=TOPIC_WEIGHTS)[0]


def words(rng: random.Random, count: int, about: int) -> list[str]:
    """Words of a text about the topic: mostly its own words, the rest words any ticket has."""
    own = TOPIC_WORDS[about]
    return [rng.choice(own) if rng.random() < 0.6 else rng.choice(COMMON_WORDS) for _ in range(count)]


def subject(rng: random.Random, about: int) -> str:
    host = f"srv-{rng.randrange(1, 400):03d}" if rng.random() < 0.2 else ""
    parts = [rng.choice(SUBJECT_OPENINGS), *rng.sample(TOPIC_WORDS[about], rng.randint(1, 3)), host]
    return " ".join(part for part in parts if part).capitalize()


def paragraph(rng: random.Random, low: int, high: int, about: int) -> str:
    text = " ".join(words(rng, rng.randint(low, high), about))
    if rng.random() < 0.3:
        text += f". Volal {rng.choice(NAMES).capitalize()}, linka {rng.randrange(100, 999)}."
    return text.capitalize() + "."


def query(rng: random.Random) -> str:
    """A search as an agent types it: one to three words, sometimes only the start of the last one."""
    chosen = rng.sample(TOPIC_WORDS[topic(rng)], rng.choice([1, 1, 2, 2, 2, 3]))
    if rng.random() < 0.1:
        chosen[-1] = rng.choice(NAMES)
    if rng.random() < 0.3 and len(chosen[-1]) > 4:
        chosen[-1] = chosen[-1][: rng.randint(3, len(chosen[-1]) - 1)]
    return " ".join(chosen)
