"""Plain data: what customers of an IT-services company write about, and how the desk answers.

Texts a customer sees come in Czech and English (the requester's language picks one); internal notes,
escalation reasons and work-log notes are the agents' own Czech. `{item}` is the affected item's name,
`{host}` its hostname, `{agent}` the replying agent's first name.
"""

from __future__ import annotations

from dataclasses import dataclass

from servicedesk.assets.models import ItemKind
from servicedesk.tickets.models import Channel, Level, TicketType, WorkKind
from servicedesk.tickets.states import State

Text = tuple[str, str]  # (Czech, English)

HUMAN = (Channel.WEB, Channel.EMAIL, Channel.PHONE)


@dataclass(frozen=True)
class Scenario:
    key: str
    category: str  # slug of the catalogue category (tickets migration 0003)
    type: str
    subject: Text
    description: Text
    resolution: Text
    team: str | None = None  # resolver team slug; None: the first level resolves it
    escalation: str = ""  # why the first level hands it over (internal)
    note: str = ""  # the resolver's internal note
    work: str = ""  # work-log note
    work_kind: str = WorkKind.REMOTE
    item_kind: str | None = None
    channels: tuple[str, ...] = HUMAN
    impact: str = Level.MEDIUM
    urgency: str = Level.MEDIUM
    waiting: str | None = None  # the waiting state this kind of ticket typically goes through
    waiting_text: Text = ("", "")  # the question to the customer, or (internal reason, "") for vendor/parts
    tags: tuple[str, ...] = ()


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        key="printer-blank",
        category="workstations",
        type=TicketType.INCIDENT,
        subject=("Tiskárna {item} tiskne prázdné stránky", "Printer {item} prints blank pages"),
        description=(
            "Dobrý den, tiskárna {item} od rána vydává prázdné stránky, toner byl vyměněn minulý týden. "
            "Prosím o kontrolu.",
            "Hello, since this morning printer {item} only prints blank pages; the toner was replaced last week. "
            "Please have a look.",
        ),
        resolution=(
            "Dobrý den, z nového toneru nebyla odstraněna ochranná páska. Opraveno, zkušební tisk v pořádku.",
            "Hello, the protective tape had not been removed from the new toner. Fixed, a test page printed fine.",
        ),
        team="workstations",
        escalation="Vzdáleně nelze vyřešit, je potřeba výjezd k tiskárně.",
        note="Zkušební stránka z webového rozhraní tiskárny je také prázdná – hardware nebo toner.",
        work="Výjezd na místo, kontrola toneru a fixační jednotky.",
        work_kind=WorkKind.ONSITE,
        item_kind=ItemKind.PRINTER,
        impact=Level.LOW,
        tags=("tisk",),
    ),
    Scenario(
        key="printer-jam",
        category="workstations",
        type=TicketType.INCIDENT,
        subject=("Zaseknutý papír v tiskárně {item}", "Paper jam in printer {item}"),
        description=(
            "Tiskárna hlásí zaseknutý papír v zásobníku 2, ale žádný papír tam není vidět.",
            "The printer reports a paper jam in tray 2 but there is no paper to be seen.",
        ),
        resolution=(
            "Po telefonu jsme s vámi vyjmuli utržený kousek papíru ze zadních dvířek, tiskárna opět tiskne.",
            "Over the phone we removed a torn piece of paper behind the rear door together; the printer works again.",
        ),
        work="Telefonická asistence s vyjmutím papíru.",
        work_kind=WorkKind.PHONE,
        item_kind=ItemKind.PRINTER,
        impact=Level.LOW,
        urgency=Level.LOW,
        tags=("tisk",),
    ),
    Scenario(
        key="vpn",
        category="network",
        type=TicketType.INCIDENT,
        subject=("Nefunguje připojení přes VPN z domova", "VPN connection from home fails"),
        description=(
            "Při připojení k VPN mi FortiClient hlásí „Credential or SSLVPN configuration is wrong (-7200)“. "
            "Včera to fungovalo.",
            "When connecting to the VPN, FortiClient says “Credential or SSLVPN configuration is wrong (-7200)”. "
            "It worked yesterday.",
        ),
        resolution=(
            "Účet byl po změně hesla zablokován na firewallu. Odblokovali jsme ho, připojení ověřeno s vámi.",
            "The account was locked on the firewall after the password change. We unlocked it and tested "
            "the connection with you.",
        ),
        team="network",
        escalation="Účet v AD je v pořádku, problém bude na straně SSL VPN na firewallu.",
        note="V logu FortiGate opakované neúspěšné pokusy – lokální lockout po 5 pokusech.",
        work="Kontrola logů firewallu, odblokování účtu, test připojení.",
        item_kind=ItemKind.NETWORK,
        urgency=Level.HIGH,
        tags=("vpn",),
    ),
    Scenario(
        key="exchange-sync",
        category="os-apps",
        type=TicketType.INCIDENT,
        subject=("Outlook nesynchronizuje poštu", "Outlook does not synchronise mail"),
        description=(
            "Od včerejška mi v Outlooku nechodí nové e-maily, v mobilu je vidím. Stav ukazuje „Odpojeno“.",
            "Since yesterday no new e-mail arrives in Outlook, although I see it on my phone. "
            "The status bar says “Disconnected”.",
        ),
        resolution=(
            "Poškozený profil Outlooku jsme vytvořili znovu, pošta se synchronizuje.",
            "We recreated the damaged Outlook profile; mail synchronises again.",
        ),
        team="servers",
        escalation="Nový profil nepomohl, prosím o kontrolu schránky na straně Exchange.",
        note="Schránka v Exchange Online v pořádku, chyba v OST souboru – nový profil s cache 12 měsíců.",
        work="Obnova profilu Outlooku, kontrola schránky.",
        item_kind=ItemKind.APPLICATION,
        tags=("exchange", "e-mail"),
    ),
    Scenario(
        key="mailbox-full",
        category="os-apps",
        type=TicketType.SERVICE_REQUEST,
        subject=("Plná poštovní schránka", "Mailbox is full"),
        description=(
            "Outlook hlásí, že schránka je plná a nemůžu odesílat. Je možné ji zvětšit?",
            "Outlook says my mailbox is full and I cannot send. Can it be enlarged?",
        ),
        resolution=(
            "Zapnuli jsme online archiv a staré e-maily se do něj automaticky přesouvají. Odesílání funguje.",
            "We enabled the online archive; older mail now moves there automatically and sending works again.",
        ),
        work="Zapnutí online archivu a retenční politiky.",
        item_kind=ItemKind.APPLICATION,
        tags=("exchange", "e-mail"),
    ),
    Scenario(
        key="backup-failed",
        category="servers",
        type=TicketType.INCIDENT,
        subject=("Záloha serveru {item} skončila chybou", "Backup job for {item} failed"),
        description=(
            "Veeam: úloha „Daily {item}“ skončila stavem Failed – nedostatek místa v repozitáři.",
            "PROBLEM: Veeam job “Daily {item}” finished with status Failed (host {host}): "
            "not enough space in the backup repository.",
        ),
        resolution=(
            "Promazali jsme staré body obnovy podle retenční politiky a zálohu spustili znovu – úspěšně.",
            "Old restore points were pruned according to the retention policy and the job rerun successfully.",
        ),
        team="servers",
        escalation="Chyba zálohy se opakuje, potřeba zásah správce serverů.",
        note="Repozitář zaplněn na 98 %, retence nastavena na 60 dní místo 30.",
        work="Úprava retence, ruční spuštění zálohy, kontrola výsledku.",
        item_kind=ItemKind.SERVER,
        channels=(Channel.MONITORING, Channel.MONITORING, Channel.EMAIL),
        impact=Level.HIGH,
        tags=("zálohy",),
    ),
    Scenario(
        key="disk-failure",
        category="hw-repair",
        type=TicketType.INCIDENT,
        subject=("Porucha disku v RAID poli serveru {item}", "Disk failure in the RAID array of {item}"),
        description=(
            "iLO hlásí: Physical drive 1I:1:3 failed, logický disk v režimu Degraded.",
            "PROBLEM: {host} – Smart Array: physical drive 1I:1:3 failed, logical drive status Degraded.",
        ),
        resolution=(
            "Vadný disk byl vyměněn za nový, pole je po rebuildu v pořádku.",
            "The failed drive was replaced; the array is healthy again after the rebuild.",
        ),
        team="hardware-repair",
        escalation="Vadný disk v poli, nutná výměna – prosím objednat díl a naplánovat výjezd.",
        note="Sériové číslo serveru ověřeno, záruka HPE platná do konce roku.",
        work="Výměna disku na místě, kontrola rebuildu.",
        work_kind=WorkKind.ONSITE,
        item_kind=ItemKind.SERVER,
        channels=(Channel.MONITORING, Channel.MONITORING, Channel.PHONE),
        impact=Level.HIGH,
        urgency=Level.HIGH,
        waiting=State.WAITING_PARTS,
        waiting_text=("Objednán disk HPE 1,2 TB SAS, dodání zítra.", ""),
        tags=("hardware", "raid"),
    ),
    Scenario(
        key="disk-space",
        category="servers",
        type=TicketType.INCIDENT,
        subject=("Dochází místo na disku C: serveru {item}", "Low disk space on C: of {item}"),
        description=(
            "Zabbix: na disku C: zbývá méně než 5 % volného místa.",
            "PROBLEM: Free disk space is less than 5% on volume C: ({host}).",
        ),
        resolution=(
            "Vyčištěny staré aktualizace a logy IIS, volné místo nyní 38 %.",
            "Old updates and IIS logs were cleaned up; 38% of the volume is free now.",
        ),
        team="servers",
        escalation="Nelze bezpečně uvolnit místo bez správce serveru.",
        note="Největší položky: C:\\inetpub\\logs (22 GB), WinSxS. Nastavena rotace logů.",
        work="Úklid disku, nastavení rotace logů IIS.",
        item_kind=ItemKind.SERVER,
        channels=(Channel.MONITORING,),
        urgency=Level.HIGH,
        tags=("monitoring",),
    ),
    Scenario(
        key="server-down",
        category="servers",
        type=TicketType.INCIDENT,
        subject=("Server {item} nedostupný", "{item} is unreachable"),
        description=(
            "Server {item} ({host}) neodpovídá na ping ani na RDP, uživatelé hlásí nedostupné aplikace.",
            "PROBLEM: {host} is unreachable for 5 minutes (ICMP ping).",
        ),
        resolution=(
            "Server zamrzl po instalaci aktualizací, restartován přes iLO. Služby běží, příčinu jsme odstranili "
            "úpravou ovladače síťové karty.",
            "The server hung after installing updates and was restarted through iLO. Services are running; "
            "the cause was removed by updating the network card driver.",
        ),
        team="servers",
        escalation="P1: server nedostupný, uživatelé nemohou pracovat.",
        note="Konzole iLO ukazuje zamrzlý systém, restart. Ovladač NIC aktualizován na 1.9.2.",
        work="Restart přes iLO, analýza příčiny, aktualizace ovladače.",
        item_kind=ItemKind.SERVER,
        channels=(Channel.MONITORING, Channel.MONITORING, Channel.PHONE),
        impact=Level.HIGH,
        urgency=Level.HIGH,
        tags=("výpadek",),
    ),
    Scenario(
        key="new-workstation",
        category="installation",
        type=TicketType.SERVICE_REQUEST,
        subject=("Nový počítač pro nového kolegu", "New workstation for a new colleague"),
        description=(
            "Od prvního příštího měsíce nastupuje nový konstruktér. Potřebujeme počítač s dvěma monitory, "
            "Office a AutoCAD, účet a e-mail.",
            "A new engineer starts on the first of next month. We need a computer with two monitors, Office "
            "and AutoCAD, an account and a mailbox.",
        ),
        resolution=(
            "Počítač je připravený a předaný, účet a e-mail založeny, přihlašovací údaje předány osobně.",
            "The computer is ready and handed over; the account and mailbox exist and the credentials were "
            "handed over in person.",
        ),
        team="workstations",
        escalation="Příprava nové stanice – instalace a nastavení.",
        note="Objednán Dell OptiPlex 7010 + 2× monitor P2422H přes distributora.",
        work="Instalace OS, Office, AutoCAD, připojení do domény, předání.",
        work_kind=WorkKind.WORKSHOP,
        channels=(Channel.WEB, Channel.EMAIL, Channel.FORM),
        impact=Level.LOW,
        urgency=Level.LOW,
        waiting=State.WAITING_PARTS,
        waiting_text=("Čekáme na dodání počítače a monitorů od distributora.", ""),
        tags=("nástup",),
    ),
    Scenario(
        key="share-access",
        category="access",
        type=TicketType.ACCESS_REQUEST,
        subject=("Přístup do sdílené složky Účetnictví", "Access to the Accounting shared folder"),
        description=(
            "Prosím o přístup pro čtení i zápis do složky \\\\fs01\\Ucetnictvi pro kolegyni z mzdové účtárny.",
            "Please give my colleague from payroll read and write access to the \\\\fs01\\Accounting folder.",
        ),
        resolution=(
            "Přístup byl po schválení nastaven, uživatelka se musí jednou odhlásit a přihlásit.",
            "Access was granted after approval; the user needs to sign out and in once.",
        ),
        team="servers",
        escalation="Schváleno vedoucím, prosím nastavit oprávnění na souborovém serveru.",
        note="Přidáno do skupiny FS-Ucetnictvi-RW.",
        work="Nastavení oprávnění, kontrola přístupu.",
        item_kind=ItemKind.SERVER,
        channels=(Channel.WEB, Channel.EMAIL),
        impact=Level.LOW,
        waiting=State.WAITING_CUSTOMER,
        waiting_text=(
            "Dobrý den, přístup do složky Účetnictví musí schválit vedoucí oddělení. Pošlete nám prosím jeho souhlas.",
            "Hello, access to the Accounting folder has to be approved by the head of the department. "
            "Please send us their approval.",
        ),
        tags=("oprávnění",),
    ),
    Scenario(
        key="new-account",
        category="access",
        type=TicketType.ACCESS_REQUEST,
        subject=("Založení účtu pro nového zaměstnance", "Account for a new employee"),
        description=(
            "Prosím o založení účtu, e-mailu a přístupu do ERP pro nového kolegu v obchodním oddělení.",
            "Please create an account, a mailbox and ERP access for a new colleague in the sales department.",
        ),
        resolution=(
            "Účet, schránka a přístup do ERP jsou založeny, dočasné heslo bylo zasláno SMS.",
            "The account, mailbox and ERP access are set up; a temporary password was sent by text message.",
        ),
        team="servers",
        escalation="Založení účtu v AD a licence Microsoft 365.",
        note="Licence Business Standard přidělena, skupiny podle vzoru kolegy z obchodu.",
        work="Založení účtu, licence, role v ERP.",
        channels=(Channel.WEB, Channel.EMAIL, Channel.API),
        impact=Level.LOW,
        waiting=State.WAITING_CUSTOMER,
        waiting_text=(
            "Dobrý den, pošlete nám prosím jméno, datum nástupu a koho máme použít jako vzor pro oprávnění.",
            "Hello, please send us the name, the start date and whose permissions we should copy.",
        ),
        tags=("nástup", "oprávnění"),
    ),
    Scenario(
        key="account-locked",
        category="access",
        type=TicketType.INCIDENT,
        subject=("Zablokovaný účet, nejde se přihlásit", "Account locked, cannot sign in"),
        description=(
            "Po dovolené se nemůžu přihlásit, systém píše, že účet je zablokovaný.",
            "After my holiday I cannot sign in; the system says my account is locked.",
        ),
        resolution=(
            "Účet odblokován a heslo resetováno po ověření totožnosti. Při prvním přihlášení si ho změníte.",
            "The account was unlocked and the password reset after verifying your identity; you will change it "
            "at the first sign-in.",
        ),
        work="Ověření totožnosti, odblokování účtu.",
        work_kind=WorkKind.PHONE,
        channels=(Channel.PHONE, Channel.PHONE, Channel.EMAIL),
        urgency=Level.HIGH,
        tags=("heslo",),
    ),
    Scenario(
        key="firewall-rule",
        category="network",
        type=TicketType.CHANGE_REQUEST,
        subject=("Povolení portu na firewallu pro nový web", "Firewall rule for the new website"),
        description=(
            "Dodavatel nového webu potřebuje z adresy 203.0.113.25 přístup na HTTPS (443) k serveru v DMZ.",
            "The vendor of our new website needs HTTPS (443) access from 203.0.113.25 to the server in the DMZ.",
        ),
        resolution=(
            "Pravidlo bylo přidáno v servisním okně a ověřeno s dodavatelem.",
            "The rule was added in the maintenance window and verified with the vendor.",
        ),
        team="network",
        escalation="Změna pravidel firewallu – schváleno zákazníkem.",
        note="Pravidlo omezeno na zdrojovou IP a port 443, logování zapnuto.",
        work="Úprava politik firewallu, test s dodavatelem.",
        item_kind=ItemKind.NETWORK,
        channels=(Channel.WEB, Channel.EMAIL),
        impact=Level.LOW,
        waiting=State.WAITING_CUSTOMER,
        waiting_text=(
            "Dobrý den, potvrďte nám prosím, zda má být pravidlo trvalé, nebo jen na dobu vývoje.",
            "Hello, please confirm whether the rule should be permanent or only for the development period.",
        ),
        tags=("firewall", "změna"),
    ),
    Scenario(
        key="pentest",
        category="pentest",
        type=TicketType.SERVICE_REQUEST,
        subject=("Objednávka penetračního testu webové aplikace", "Penetration test of our web application"),
        description=(
            "Rádi bychom objednali penetrační test zákaznického portálu před spuštěním. Termín ideálně do konce "
            "měsíce.",
            "We would like to order a penetration test of our customer portal before it goes live, ideally by the "
            "end of the month.",
        ),
        resolution=(
            "Penetrační test je hotový, závěrečnou zprávu s doporučeními jsme zaslali vedení. Dvě zjištění "
            "střední závažnosti již byla opravena.",
            "The penetration test is complete and the final report with recommendations was sent to the "
            "management. Two medium findings have already been fixed.",
        ),
        team="security",
        escalation="Objednávka pentestu – prosím o rozsah a termín.",
        note="Rozsah: portál + API, black-box, testovací účty od zákazníka. Termín 3 dny.",
        work="Penetrační test, příprava zprávy.",
        channels=(Channel.EMAIL, Channel.FORM, Channel.WEB),
        impact=Level.LOW,
        urgency=Level.LOW,
        waiting=State.WAITING_CUSTOMER,
        waiting_text=(
            "Dobrý den, pro přípravu testu potřebujeme přesný rozsah (adresy, prostředí) a dva testovací účty.",
            "Hello, to prepare the test we need the exact scope (addresses, environment) and two test accounts.",
        ),
        tags=("bezpečnost",),
    ),
    Scenario(
        key="phishing",
        category="other",
        type=TicketType.INCIDENT,
        subject=("Podezřelý e-mail s fakturou v příloze", "Suspicious e-mail with an invoice attached"),
        description=(
            "Přišel mi e-mail od „dodavatele“ s fakturou ve formátu .zip. Kolega ji už otevřel.",
            "I received an e-mail from a “supplier” with an invoice as a .zip file. A colleague already opened it.",
        ),
        resolution=(
            "Příloha obsahovala malware, stanice byla izolována a vyčištěna, heslo kolegy změněno. "
            "Odesílatel je blokován pro celou firmu.",
            "The attachment contained malware; the workstation was isolated and cleaned and your colleague's "
            "password changed. The sender is blocked for the whole company.",
        ),
        team="security",
        escalation="Možná kompromitace stanice – uživatel otevřel přílohu.",
        note="Hash přílohy na VirusTotal 41/70. Stanice odpojena od sítě, sken EDR.",
        work="Analýza přílohy, izolace a vyčištění stanice, blokace odesílatele.",
        item_kind=ItemKind.WORKSTATION,
        channels=(Channel.PHONE, Channel.EMAIL),
        impact=Level.HIGH,
        urgency=Level.HIGH,
        tags=("bezpečnost", "phishing"),
    ),
    Scenario(
        key="spare-psu",
        category="spare-parts",
        type=TicketType.SERVICE_REQUEST,
        subject=("Objednání náhradního zdroje pro server {item}", "Spare power supply for {item}"),
        description=(
            "Jeden ze dvou zdrojů serveru {item} svítí oranžově. Prosíme o objednání náhradního a výměnu.",
            "One of the two power supplies of {item} shows amber. Please order a spare and replace it.",
        ),
        resolution=(
            "Zdroj byl vyměněn za chodu serveru, oba zdroje hlásí stav OK.",
            "The power supply was hot-swapped; both supplies report OK.",
        ),
        team="hardware-repair",
        escalation="Objednávka a výměna náhradního zdroje.",
        note="Dell PSU 800 W, dodavatel potvrdil dodání do 3 pracovních dnů.",
        work="Výměna zdroje na místě.",
        work_kind=WorkKind.ONSITE,
        item_kind=ItemKind.SERVER,
        channels=(Channel.EMAIL, Channel.MONITORING, Channel.WEB),
        waiting=State.WAITING_VENDOR,
        waiting_text=("Čekáme na potvrzení objednávky a dodání dílu od Dellu.", ""),
        tags=("hardware",),
    ),
    Scenario(
        key="loaner",
        category="loan",
        type=TicketType.SERVICE_REQUEST,
        subject=("Zápůjčka náhradního notebooku po dobu opravy", "Loaner laptop while mine is repaired"),
        description=(
            "Můj notebook je v opravě a potřebuji na příští týden náhradní na služební cestu.",
            "My laptop is being repaired and I need a replacement for a business trip next week.",
        ),
        resolution=(
            "Zapůjčili jsme notebook Lenovo T14 s vaším profilem, vraťte ho prosím po opravě vašeho.",
            "We lent you a Lenovo T14 with your profile set up; please return it when yours is back.",
        ),
        team="hardware-repair",
        escalation="Zápůjčka – příprava náhradního notebooku.",
        note="Zapůjčen NB-ZAP-07, předávací protokol podepsán.",
        work="Příprava zápůjčního notebooku, přenos profilu.",
        work_kind=WorkKind.WORKSHOP,
        channels=(Channel.EMAIL, Channel.PHONE, Channel.WEB),
        impact=Level.LOW,
        tags=("zápůjčka",),
    ),
    Scenario(
        key="laptop-dead",
        category="hw-repair",
        type=TicketType.INCIDENT,
        subject=("Notebook {item} se nezapne", "Laptop {item} does not turn on"),
        description=(
            "Notebook po pádu ze stolu nereaguje na tlačítko napájení, nabíječka svítí.",
            "The laptop fell off the desk and does not respond to the power button; the charger light is on.",
        ),
        resolution=(
            "Vyměněna základní deska v rámci záruky, data zůstala zachována. Notebook je připraven k vyzvednutí.",
            "The motherboard was replaced under warranty and the data was kept. The laptop is ready for pick-up.",
        ),
        team="hardware-repair",
        escalation="Fyzické poškození, nutná diagnostika v dílně.",
        note="Diagnostika: vadná základní deska. Reklamace u výrobce založena.",
        work="Diagnostika v dílně, komunikace s výrobcem.",
        work_kind=WorkKind.WORKSHOP,
        item_kind=ItemKind.WORKSTATION,
        urgency=Level.HIGH,
        waiting=State.WAITING_VENDOR,
        waiting_text=("Reklamace u výrobce, čekáme na servisního technika.", ""),
        tags=("hardware", "reklamace"),
    ),
    Scenario(
        key="ram-upgrade",
        category="hw-upgrade",
        type=TicketType.CHANGE_REQUEST,
        subject=("Navýšení paměti RAM v počítačích konstrukce", "RAM upgrade for the design workstations"),
        description=(
            "Konstruktérům se při práci s velkými sestavami zpomaluje počítač. Prosíme o nabídku a navýšení "
            "paměti na 32 GB.",
            "The designers' computers slow down with large assemblies. Please quote and upgrade memory to 32 GB.",
        ),
        resolution=(
            "Paměť byla navýšena na 32 GB na obou stanicích, test s velkou sestavou proběhl bez problémů.",
            "Memory was upgraded to 32 GB on both workstations; a test with a large assembly went fine.",
        ),
        team="workstations",
        escalation="Upgrade hardwaru – příprava nabídky a instalace.",
        note="2× 16 GB DDR4 3200 na stanici, nabídka schválena e-mailem.",
        work="Instalace paměti, test stability.",
        work_kind=WorkKind.ONSITE,
        item_kind=ItemKind.WORKSTATION,
        channels=(Channel.EMAIL, Channel.WEB),
        impact=Level.LOW,
        urgency=Level.LOW,
        waiting=State.WAITING_PARTS,
        waiting_text=("Paměti objednány, čekáme na dodání.", ""),
        tags=("upgrade",),
    ),
    Scenario(
        key="wifi-slow",
        category="network",
        type=TicketType.INCIDENT,
        subject=("Pomalá Wi-Fi v zasedací místnosti", "Slow Wi-Fi in the meeting room"),
        description=(
            "Během porad v zasedačce vypadává Wi-Fi a videohovory se sekají.",
            "During meetings the Wi-Fi in the meeting room keeps dropping and video calls stutter.",
        ),
        resolution=(
            "Přístupový bod byl přesunut na volný kanál v pásmu 5 GHz a snížen výkon 2,4 GHz. Měření ukazuje "
            "stabilní připojení.",
            "The access point was moved to a free 5 GHz channel and the 2.4 GHz power lowered. Measurements show "
            "a stable connection.",
        ),
        team="network",
        escalation="Nutné měření signálu a úprava nastavení AP.",
        note="Rušení od sousední firmy na kanálu 36, přechod na 100.",
        work="Site survey, úprava kanálů a výkonu AP.",
        work_kind=WorkKind.ONSITE,
        item_kind=ItemKind.NETWORK,
        impact=Level.LOW,
        tags=("wi-fi",),
    ),
    Scenario(
        key="internet-outage",
        category="network",
        type=TicketType.INCIDENT,
        subject=("Výpadek internetu na pobočce", "Internet outage at the branch office"),
        description=(
            "Na pobočce od 8:15 nefunguje internet ani připojení do centrály.",
            "Since 8:15 the branch has neither internet nor the connection to the head office.",
        ),
        resolution=(
            "Poskytovatel opravil přerušený kabel v ulici, připojení i VPN do centrály jsou opět funkční.",
            "The provider repaired a cut cable in the street; the internet and the VPN to the head office work again.",
        ),
        team="network",
        escalation="Výpadek konektivity, pravděpodobně na straně poskytovatele.",
        note="Router nemá link na WAN, hlášeno poskytovateli pod číslem 4411827.",
        work="Diagnostika, komunikace s poskytovatelem.",
        item_kind=ItemKind.NETWORK,
        channels=(Channel.PHONE, Channel.MONITORING),
        impact=Level.HIGH,
        urgency=Level.HIGH,
        waiting=State.WAITING_VENDOR,
        waiting_text=("Čekáme na technika poskytovatele konektivity.", ""),
        tags=("výpadek", "konektivita"),
    ),
    Scenario(
        key="scanner-after-update",
        category="workstations",
        type=TicketType.INCIDENT,
        subject=("Po aktualizaci Windows nefunguje skener", "Scanner stopped working after a Windows update"),
        description=(
            "Od včerejší aktualizace Windows počítač nevidí skener, program hlásí „zařízení nenalezeno“.",
            "Since yesterday's Windows update the computer no longer sees the scanner (“device not found”).",
        ),
        resolution=(
            "Nainstalovali jsme aktuální ovladač TWAIN od výrobce, skenování funguje.",
            "We installed the vendor's current TWAIN driver; scanning works.",
        ),
        team="workstations",
        escalation="Problém s ovladačem po aktualizaci, nutná reinstalace.",
        work="Reinstalace ovladače skeneru.",
        item_kind=ItemKind.WORKSTATION,
        impact=Level.LOW,
    ),
    Scenario(
        key="certificate",
        category="servers",
        type=TicketType.CHANGE_REQUEST,
        subject=("Certifikát serveru {item} brzy vyprší", "Certificate on {item} expires soon"),
        description=(
            "Monitoring: TLS certifikát na {host} vyprší za 14 dní.",
            "WARNING: the TLS certificate on {host} expires in 14 days.",
        ),
        resolution=(
            "Certifikát byl obnoven a nasazen, platnost do příštího roku. Nastavena automatická obnova.",
            "The certificate was renewed and deployed, valid until next year. Automatic renewal is now set up.",
        ),
        team="servers",
        escalation="Obnova certifikátu – změna na serveru.",
        note="Přechod na ACME (win-acme), plánovaná úloha ověřena.",
        work="Obnova a nasazení certifikátu.",
        item_kind=ItemKind.SERVER,
        channels=(Channel.MONITORING,),
        impact=Level.LOW,
        tags=("certifikát",),
    ),
    Scenario(
        key="software-install",
        category="os-apps",
        type=TicketType.SERVICE_REQUEST,
        subject=("Instalace Adobe Acrobat Pro", "Please install Adobe Acrobat Pro"),
        description=(
            "Potřebuji upravovat PDF smlouvy, prosím o instalaci Adobe Acrobat Pro. Licenci schválil vedoucí.",
            "I need to edit PDF contracts; please install Adobe Acrobat Pro. My manager approved the licence.",
        ),
        resolution=(
            "Acrobat Pro je nainstalovaný a licence přiřazena k vašemu účtu.",
            "Acrobat Pro is installed and the licence is assigned to your account.",
        ),
        work="Vzdálená instalace, přiřazení licence.",
        item_kind=ItemKind.WORKSTATION,
        channels=(Channel.WEB, Channel.EMAIL, Channel.API),
        impact=Level.LOW,
        urgency=Level.LOW,
        tags=("software",),
    ),
    Scenario(
        key="mail-forwarding",
        category="other",
        type=TicketType.QUESTION,
        subject=("Dotaz na přeposílání pošty během dovolené", "How do I forward mail while on holiday?"),
        description=(
            "Jak si nastavím automatickou odpověď a přeposílání pošty kolegovi během dovolené?",
            "How do I set up an automatic reply and forward my mail to a colleague during my holiday?",
        ),
        resolution=(
            "Návod: Outlook → Soubor → Automatické odpovědi; přeposílání pravidlem „Přesměrovat na“. "
            "Nastavili jsme to s vámi po telefonu.",
            "In Outlook: File → Automatic Replies; forwarding with a “Redirect to” rule. We set it up with you "
            "over the phone.",
        ),
        work="Telefonická konzultace.",
        work_kind=WorkKind.PHONE,
        channels=(Channel.FORM, Channel.WEB, Channel.EMAIL),
        impact=Level.LOW,
        urgency=Level.LOW,
    ),
    Scenario(
        key="shared-calendar",
        category="other",
        type=TicketType.QUESTION,
        subject=("Jak sdílet kalendář s asistentkou?", "How can I share my calendar with my assistant?"),
        description=(
            "Potřebuji, aby asistentka viděla a mohla upravovat můj kalendář.",
            "My assistant needs to see and edit my calendar.",
        ),
        resolution=(
            "Asistentce jsme nastavili oprávnění delegáta, kalendář už vidí a může v něm vytvářet schůzky.",
            "Your assistant now has delegate permissions and can see and create meetings in your calendar.",
        ),
        work="Nastavení delegace kalendáře.",
        channels=(Channel.FORM, Channel.WEB),
        impact=Level.LOW,
        urgency=Level.LOW,
    ),
    Scenario(
        key="second-monitor",
        category="workstations",
        type=TicketType.INCIDENT,
        subject=("Nefunguje druhý monitor", "Second monitor shows no picture"),
        description=(
            "Po přesunu stolu nefunguje druhý monitor, píše „No signal“.",
            "After moving my desk the second monitor says “No signal”.",
        ),
        resolution=(
            "Kabel DisplayPort byl zapojený do grafiky na základní desce. Přepojili jsme ho, oba monitory fungují.",
            "The DisplayPort cable was plugged into the onboard graphics. We moved it; both monitors work.",
        ),
        work="Telefonická asistence.",
        work_kind=WorkKind.PHONE,
        item_kind=ItemKind.WORKSTATION,
        channels=(Channel.PHONE, Channel.WEB),
        impact=Level.LOW,
    ),
    Scenario(
        key="erp-slow",
        category="os-apps",
        type=TicketType.INCIDENT,
        subject=("Pomalá odezva systému {item}", "{item} responds slowly"),
        description=(
            "Od rána trvá uložení dokladu v {item} přes minutu, pracuje tak celé oddělení.",
            "Since this morning saving a document in {item} takes over a minute, for the whole department.",
        ),
        resolution=(
            "Příčinou byl zaseknutý noční import blokující databázi. Import ukončen a opraven, odezva je normální.",
            "A stuck night import was blocking the database. It was stopped and fixed; response times are normal.",
        ),
        team="servers",
        escalation="Výkonový problém aplikace, nutná kontrola databáze.",
        note="Blokující session z úlohy importu, po ukončení odezva 200 ms.",
        work="Analýza databáze, ukončení blokující úlohy.",
        item_kind=ItemKind.APPLICATION,
        channels=(Channel.PHONE, Channel.EMAIL, Channel.WEB),
        impact=Level.HIGH,
        tags=("výkon",),
    ),
    Scenario(
        key="new-server",
        category="installation",
        type=TicketType.CHANGE_REQUEST,
        subject=("Instalace nového souborového serveru", "Installation of a new file server"),
        description=(
            "Podle schválené nabídky prosíme o instalaci nového souborového serveru a přesun dat ze starého.",
            "As per the approved quote, please install the new file server and migrate the data from the old one.",
        ),
        resolution=(
            "Nový server je v provozu, data přesunuta o víkendu, mapování disků upraveno politikou.",
            "The new server is in production; the data was migrated over the weekend and drive mappings updated "
            "by policy.",
        ),
        team="servers",
        escalation="Projekt instalace nového serveru podle nabídky.",
        note="Migrace robocopy /MIR ve dvou kolech, finální přepnutí v sobotu 22:00.",
        work="Instalace serveru, migrace dat.",
        work_kind=WorkKind.ONSITE,
        channels=(Channel.EMAIL, Channel.WEB),
        impact=Level.MEDIUM,
        urgency=Level.LOW,
        waiting=State.WAITING_PARTS,
        waiting_text=("Čekáme na dodání serveru.", ""),
        tags=("projekt",),
    ),
    Scenario(
        key="voip",
        category="network",
        type=TicketType.INCIDENT,
        subject=("Nefunguje telefon na recepci", "Reception desk phone is dead"),
        description=(
            "IP telefon na recepci ukazuje „Registering…“ a nejde volat.",
            "The IP phone at the reception shows “Registering…” and cannot make calls.",
        ),
        resolution=(
            "Port na přepínači byl po výměně přepínače ve špatné VLAN. Opraveno, telefon je registrován.",
            "After the switch replacement the port was in the wrong VLAN. Fixed; the phone registers again.",
        ),
        team="network",
        escalation="Telefon se neregistruje, pravděpodobně VLAN/PoE na přepínači.",
        note="Port Gi1/0/14 v datové VLAN místo hlasové.",
        work="Úprava konfigurace přepínače.",
        item_kind=ItemKind.NETWORK,
        channels=(Channel.PHONE, Channel.EMAIL),
        urgency=Level.HIGH,
    ),
    Scenario(
        key="antivirus-alert",
        category="other",
        type=TicketType.INCIDENT,
        subject=("Antivir zachytil hrozbu na stanici {item}", "Antivirus detected a threat on {item}"),
        description=(
            "EDR: na stanici {item} zachycen a zablokován Trojan:Win32/Wacatac.",
            "ALERT: EDR blocked Trojan:Win32/Wacatac on {host}; the file was quarantined.",
        ),
        resolution=(
            "Hrozba zachycena při stahování, soubor v karanténě. Úplný sken stanice čistý.",
            "The threat was caught while downloading and quarantined. A full scan of the workstation is clean.",
        ),
        team="security",
        escalation="Bezpečnostní událost z EDR – ověřit rozsah.",
        note="Zdroj: stažený „instalátor“ PDF nástroje. Žádná persistence nenalezena.",
        work="Analýza události, úplný sken stanice.",
        item_kind=ItemKind.WORKSTATION,
        channels=(Channel.MONITORING,),
        impact=Level.MEDIUM,
        urgency=Level.HIGH,
        tags=("bezpečnost",),
    ),
)


# --- Generic conversation of the desk and the customers ---------------------------------------------------------

ACKNOWLEDGEMENTS: tuple[Text, ...] = (
    (
        "Dobrý den, děkujeme za nahlášení. Požadavek jsme převzali a pracujeme na něm.\n\n{agent}, Servicedesk",
        "Hello, thank you for reporting this. We have taken the request and are working on it.\n\n{agent}, Servicedesk",
    ),
    (
        "Dobrý den, na požadavku pracujeme, o postupu vás budeme informovat.\n\nS pozdravem {agent}",
        "Hello, we are working on your request and will keep you posted.\n\nKind regards, {agent}",
    ),
    (
        "Dobrý den, požadavek jsme předali specialistům, ozveme se co nejdříve.\n\n{agent}",
        "Hello, we have passed your request to our specialists and will be back to you soon.\n\n{agent}",
    ),
)
PROGRESS_REPLIES: tuple[Text, ...] = (
    (
        "Dobrý den, příčinu jsme našli, opravu připravujeme. Ozveme se do konce dne.",
        "Hello, we have found the cause and are preparing the fix. We will get back to you by the end of the day.",
    ),
    (
        "Dobrý den, stále na tom pracujeme, dnes odpoledne se k vám připojíme vzdáleně.",
        "Hello, we are still on it and will connect to you remotely this afternoon.",
    ),
)
CUSTOMER_FOLLOW_UPS: tuple[Text, ...] = (
    ("Dobrý den, je už něco nového? Potřebujeme to dnes vyřešit.", "Hello, any news? We need this solved today."),
    ("Doplňuji, že se to týká i kolegů ve vedlejší kanceláři.", "To add: colleagues in the next office have it too."),
    ("Prosím o informaci, kdy to bude hotové.", "Please let me know when this will be done."),
)
CUSTOMER_ANSWERS: tuple[Text, ...] = (
    ("Dobrý den, posílám požadované údaje. Díky.", "Hello, here is the information you asked for. Thanks."),
    ("Schváleno, můžete pokračovat.", "Approved, please go ahead."),
    ("Dobrý den, v příloze e-mailu jsou údaje, které jste chtěli.", "Hello, the details you wanted are below."),
)
CONFIRMATIONS: tuple[Text, ...] = (
    ("Děkuji, funguje to. Můžete uzavřít.", "Thank you, it works. You can close it."),
    ("Potvrzuji, vše v pořádku.", "Confirmed, all fine."),
    ("Super, díky za rychlé vyřešení!", "Great, thanks for the quick fix!"),
)
REOPEN_REASONS: tuple[Text, ...] = (
    ("Dobrý den, problém se dnes ráno objevil znovu.", "Hello, the problem came back this morning."),
    ("Bohužel to stále nefunguje, stejná chyba jako předtím.", "Unfortunately it still fails with the same error."),
)
CANCEL_REASONS: tuple[Text, ...] = (
    (
        "Dobrý den, dle vaší informace požadavek rušíme – problém se vyřešil sám.",
        "Hello, as agreed we are cancelling the request – the problem went away by itself.",
    ),
    (
        "Dobrý den, požadavek rušíme na vaši žádost, projekt byl odložen.",
        "Hello, we are cancelling the request at your wish, the project has been postponed.",
    ),
)
FIRST_LEVEL_NOTES = (
    "Volal jsem uživateli, problém potvrzen, vzdálená plocha zatím nepomohla.",
    "Ověřeno se zákazníkem po telefonu, týká se jen tohoto uživatele.",
    "Podobný požadavek u tohoto zákazníka byl minulý měsíc, viz historie.",
    "Zákazník souhlasí se vzdáleným připojením v kteroukoli dobu.",
)
HAND_BACK_REASONS = (
    "Nejde o problém na naší straně, řeší se přímo u uživatele – vracím na první linii.",
    "Po opravě serveru zbývá jen nastavení na stanici, vracím Servicedesku.",
)
WAIT_OVER_NOTES: dict[str, str] = {
    State.WAITING_VENDOR: "Dodavatel se ozval, pokračujeme.",
    State.WAITING_PARTS: "Díl dorazil, plánujeme výměnu.",
}
DUPLICATE_PREFIX: Text = ("Také nám: ", "Same here: ")
DUPLICATE_NOTE = "Duplicitní hlášení stejného problému, sloučeno."
LINK_NOTE = "Souvisí s dřívějším požadavkem téhož zákazníka."
