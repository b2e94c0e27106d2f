"""Plain data: the demo's customers, their people and equipment, and the company's own teams and agents.

Every company, person, number and address is invented. E-mail domains end in `.example` (RFC 2606) so that
no notification of the demo can ever reach a real mailbox; hosts and addresses are private (10.x, 192.168.x)
and are only data, never contacted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from servicedesk.assets.models import ItemKind


@dataclass(frozen=True)
class DemoContact:
    name: str
    local_part: str  # before the @ of the organization's first domain
    phone: str
    language: str = "cs"
    manager: bool = False
    login: bool = False


@dataclass(frozen=True)
class DemoItem:
    name: str
    kind: str
    hostname: str
    ip_address: str
    notes: str = ""


@dataclass(frozen=True)
class DemoOrganization:
    name: str
    company_id: str  # IČO, with a valid check digit
    vat_id: str  # DIČ
    domain: str
    phone: str
    address: str
    notes: str
    contacts: tuple[DemoContact, ...]
    items: tuple[DemoItem, ...] = field(default=())


@dataclass(frozen=True)
class DemoTeam:
    slug: str
    name: str
    description: str


@dataclass(frozen=True)
class DemoAgent:
    username: str  # the first name without diacritics: what the demo logins print
    first_name: str
    last_name: str
    teams: tuple[str, ...]  # team slugs; the first one is where the agent mostly works
    language: str = "cs"


FIRST_LEVEL = "servicedesk"

# The first-level team exists from a migration; the demo only adds its description and members.
TEAMS = (
    DemoTeam(FIRST_LEVEL, "Servicedesk", "First-level support: the hotline, e-mail and the web, 24/7."),
    DemoTeam("servers", "Servers", "Server administration, operating systems and key applications."),
    DemoTeam("network", "Network", "Routers, firewalls, Wi-Fi, VPN and the connectivity providers."),
    DemoTeam("workstations", "Workstations", "Workstations, printers and the software on them."),
    DemoTeam("security", "Security", "Penetration tests, security incidents and access reviews."),
    DemoTeam("hardware-repair", "Hardware repair", "Repairs, spare parts, warranty claims and loaner devices."),
)

AGENTS = (
    DemoAgent("tereza", "Tereza", "Svobodová", (FIRST_LEVEL, "workstations")),
    DemoAgent("martin", "Martin", "Procházka", (FIRST_LEVEL,)),
    DemoAgent("kristyna", "Kristýna", "Němcová", (FIRST_LEVEL, "workstations")),
    DemoAgent("jakub", "Jakub", "Kučera", ("servers", "security")),
    DemoAgent("ondrej", "Ondřej", "Veselý", ("servers",)),
    DemoAgent("petra", "Petra", "Horáková", ("network", "security")),
    DemoAgent("tomas", "Tomáš", "Marek", ("network",), language="en"),
    DemoAgent("vojtech", "Vojtěch", "Pokorný", ("hardware-repair", "workstations")),
)
AGENT_EMAIL_DOMAIN = "it-servis.example"
ADMIN_USERNAME = "admin"


def _servers(prefix: str, net: str, *names: tuple[str, str, str]) -> tuple[DemoItem, ...]:
    return tuple(
        DemoItem(name, ItemKind.SERVER, f"{host}.{prefix}.local", f"{net}.{last}") for name, host, last in names
    )


ORGANIZATIONS = (
    DemoOrganization(
        name="Strojírny Vysočina s.r.o.",
        company_id="27193543",
        vat_id="CZ27193543",
        domain="strojirny-vysocina.example",
        phone="+420 567 310 200",
        address="Havlíčkova 112\n586 01 Jihlava",
        notes="Výroba ve dvou směnách; servisní okno serverů v neděli 6–10 h.",
        contacts=(
            DemoContact("Jaroslav Dvořák", "jaroslav.dvorak", "+420 603 218 447", manager=True, login=True),
            DemoContact("Jana Nováková", "jana.novakova", "+420 728 114 905", login=True),
            DemoContact("Zdeněk Růžička", "zdenek.ruzicka", "+420 731 562 018"),
            DemoContact("Markéta Šebestová", "marketa.sebestova", "+420 604 993 271", login=True),
            DemoContact("Lukáš Kříž", "lukas.kriz", "+420 777 405 136"),
        ),
        items=(
            *_servers(
                "vysocina",
                "10.12.0",
                ("SRV-DC01", "dc01", "10"),
                ("SRV-FS01", "fs01", "20"),
                ("SRV-ERP01", "erp01", "30"),
                ("SRV-BACKUP", "backup01", "40"),
            ),
            DemoItem("FW-JIHLAVA", ItemKind.NETWORK, "fw.vysocina.local", "10.12.0.1", "Fortinet FortiGate 60F"),
            DemoItem(
                "SW-HALA-A", ItemKind.NETWORK, "sw-hala-a.vysocina.local", "10.12.1.2", "Přepínač ve výrobní hale"
            ),
            DemoItem("AP-KANCELARE", ItemKind.NETWORK, "ap-office.vysocina.local", "10.12.1.5"),
            DemoItem("PC-KONSTRUKCE-01", ItemKind.WORKSTATION, "pc-kon01.vysocina.local", "192.168.12.101"),
            DemoItem("PC-KONSTRUKCE-02", ItemKind.WORKSTATION, "pc-kon02.vysocina.local", "192.168.12.102"),
            DemoItem("NB-NOVAKOVA", ItemKind.WORKSTATION, "nb-novakova.vysocina.local", "192.168.12.140"),
            DemoItem(
                "PRN-UCTARNA", ItemKind.PRINTER, "prn-uctarna.vysocina.local", "192.168.12.210", "HP LaserJet M507"
            ),
            DemoItem("PRN-HALA", ItemKind.PRINTER, "prn-hala.vysocina.local", "192.168.12.211"),
            DemoItem("Exchange Online", ItemKind.APPLICATION, "outlook.office365.com", "", "Microsoft 365 Business"),
            DemoItem("ERP Helios", ItemKind.APPLICATION, "helios.vysocina.local", "10.12.0.30"),
        ),
    ),
    DemoOrganization(
        name="Pekárna Zlatý klas a.s.",
        company_id="45618216",
        vat_id="CZ45618216",
        domain="zlatyklas.example",
        phone="+420 585 224 100",
        address="Průmyslová 8\n779 00 Olomouc",
        notes="Provoz od 3 h ráno – hlášení z pekárny brát přednostně.",
        contacts=(
            DemoContact("Věra Procházková", "vera.prochazkova", "+420 602 447 813", manager=True, login=True),
            DemoContact("Petr Čermák", "petr.cermak", "+420 739 220 658"),
            DemoContact("Hana Šťastná", "hana.stastna", "+420 605 381 992", login=True),
            DemoContact("Miroslav Bláha", "miroslav.blaha", "+420 724 017 336"),
        ),
        items=(
            *_servers("zlatyklas", "10.20.0", ("SRV-APP01", "app01", "11"), ("SRV-FILE", "file", "12")),
            DemoItem("FW-OLOMOUC", ItemKind.NETWORK, "fw.zlatyklas.local", "10.20.0.1"),
            DemoItem("SW-EXPEDICE", ItemKind.NETWORK, "sw-expedice.zlatyklas.local", "10.20.2.2"),
            DemoItem("PC-EXPEDICE", ItemKind.WORKSTATION, "pc-expedice.zlatyklas.local", "192.168.20.50"),
            DemoItem("PC-OBCHOD-01", ItemKind.WORKSTATION, "pc-obchod01.zlatyklas.local", "192.168.20.61"),
            DemoItem("PRN-EXPEDICE", ItemKind.PRINTER, "prn-expedice.zlatyklas.local", "192.168.20.200", "Zebra ZT410"),
            DemoItem("Money S5", ItemKind.APPLICATION, "money.zlatyklas.local", "10.20.0.11"),
        ),
    ),
    DemoOrganization(
        name="Advokátní kancelář Horák & partneři",
        company_id="06138471",
        vat_id="CZ06138471",
        domain="akhorak.example",
        phone="+420 224 918 300",
        address="Vinohradská 1511/230\n100 00 Praha 10",
        notes="Citlivá data klientů: vzdálený přístup jen po telefonickém souhlasu.",
        contacts=(
            DemoContact("JUDr. Tomáš Horák", "tomas.horak", "+420 602 111 907", manager=True, login=True),
            DemoContact("Kateřina Benešová", "katerina.benesova", "+420 736 480 215", login=True),
            DemoContact("Mgr. Ondřej Šimek", "ondrej.simek", "+420 608 752 340"),
        ),
        items=(
            *_servers("akhorak", "10.31.0", ("SRV-AK01", "ak01", "10")),
            DemoItem("FW-PRAHA", ItemKind.NETWORK, "fw.akhorak.local", "10.31.0.1"),
            DemoItem("NB-HORAK", ItemKind.WORKSTATION, "nb-horak.akhorak.local", "192.168.31.20"),
            DemoItem("NB-BENESOVA", ItemKind.WORKSTATION, "nb-benesova.akhorak.local", "192.168.31.21"),
            DemoItem("PRN-RECEPCE", ItemKind.PRINTER, "prn-recepce.akhorak.local", "192.168.31.200", "Canon iR C3226"),
            DemoItem("Exchange Online", ItemKind.APPLICATION, "outlook.office365.com", ""),
            DemoItem("Spisová služba", ItemKind.APPLICATION, "spisy.akhorak.local", "10.31.0.10"),
        ),
    ),
    DemoOrganization(
        name="Logistika Morava s.r.o.",
        company_id="28740122",
        vat_id="CZ28740122",
        domain="logistika-morava.example",
        phone="+420 543 210 760",
        address="Vídeňská 287/99\n639 00 Brno",
        notes="Sklad Modřice a pobočka Ostrava propojené site-to-site VPN.",
        contacts=(
            DemoContact("Radek Kolář", "radek.kolar", "+420 603 775 120", manager=True, login=True),
            DemoContact("Lenka Urbanová", "lenka.urbanova", "+420 720 318 446", login=True),
            DemoContact("Jiří Pospíšil", "jiri.pospisil", "+420 732 901 557"),
            DemoContact("Barbora Holubová", "barbora.holubova", "+420 606 245 889"),
            DemoContact("Michal Žák", "michal.zak", "+420 775 632 014", login=True),
            DemoContact("Anna Fialová", "anna.fialova", "+420 737 104 662", language="en"),
        ),
        items=(
            *_servers(
                "logmor",
                "10.44.0",
                ("SRV-DC01", "dc01", "10"),
                ("SRV-WMS", "wms", "25"),
                ("SRV-RDS01", "rds01", "30"),
            ),
            DemoItem("FW-BRNO", ItemKind.NETWORK, "fw-brno.logmor.local", "10.44.0.1"),
            DemoItem("FW-OSTRAVA", ItemKind.NETWORK, "fw-ostrava.logmor.local", "10.45.0.1"),
            DemoItem("AP-SKLAD", ItemKind.NETWORK, "ap-sklad.logmor.local", "10.44.3.5"),
            DemoItem("PC-DISPECINK-01", ItemKind.WORKSTATION, "pc-disp01.logmor.local", "192.168.44.31"),
            DemoItem("PC-DISPECINK-02", ItemKind.WORKSTATION, "pc-disp02.logmor.local", "192.168.44.32"),
            DemoItem("TERM-SKLAD-05", ItemKind.WORKSTATION, "term05.logmor.local", "192.168.44.105"),
            DemoItem("PRN-SKLAD", ItemKind.PRINTER, "prn-sklad.logmor.local", "192.168.44.220"),
            DemoItem("WMS Sklad", ItemKind.APPLICATION, "wms.logmor.local", "10.44.0.25"),
        ),
    ),
    DemoOrganization(
        name="Nordic Components CZ s.r.o.",
        company_id="64027759",
        vat_id="CZ64027759",
        domain="nordic-components.example",
        phone="+420 377 450 900",
        address="Borská 3217/40\n301 00 Plzeň",
        notes="Mateřská firma ve Švédsku; vedení komunikuje anglicky.",
        contacts=(
            DemoContact("Erik Lindqvist", "erik.lindqvist", "+420 601 330 482", "en", manager=True, login=True),
            DemoContact("Pavla Jelínková", "pavla.jelinkova", "+420 723 645 190", login=True),
            DemoContact("Sofia Berg", "sofia.berg", "+420 608 217 733", "en"),
            DemoContact("Karel Šindelář", "karel.sindelar", "+420 774 508 361"),
        ),
        items=(
            *_servers("nordic", "10.50.0", ("SRV-HV01", "hv01", "5"), ("SRV-SQL01", "sql01", "15")),
            DemoItem("FW-PLZEN", ItemKind.NETWORK, "fw.nordic.local", "10.50.0.1"),
            DemoItem("SW-CORE", ItemKind.NETWORK, "sw-core.nordic.local", "10.50.0.2"),
            DemoItem("PC-LAB-01", ItemKind.WORKSTATION, "pc-lab01.nordic.local", "192.168.50.41"),
            DemoItem("NB-BERG", ItemKind.WORKSTATION, "nb-berg.nordic.local", "192.168.50.77"),
            DemoItem("PRN-OFFICE", ItemKind.PRINTER, "prn-office.nordic.local", "192.168.50.200"),
            DemoItem("Exchange Online", ItemKind.APPLICATION, "outlook.office365.com", ""),
            DemoItem("SAP Business One", ItemKind.APPLICATION, "sap.nordic.local", "10.50.0.15"),
        ),
    ),
)

# The two customer logins the demo prints: a user and a manager of the first organization.
CUSTOMER_USER = ("Jana Nováková", "jana.novakova@strojirny-vysocina.example")
CUSTOMER_MANAGER = ("Jaroslav Dvořák", "jaroslav.dvorak@strojirny-vysocina.example")
