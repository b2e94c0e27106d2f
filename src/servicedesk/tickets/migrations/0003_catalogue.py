from django.db import migrations

# The service catalogue of the company's service description (shared/seed), Czech and English.
CATEGORIES = [
    ("servers", "Správa serverů", "Server administration"),
    ("os-apps", "Operační systémy a klíčové aplikace", "Operating systems and key applications"),
    ("installation", "Instalace nových systémů", "Installation of new systems"),
    ("hw-repair", "Oprava hardwaru", "Hardware repair"),
    ("spare-parts", "Náhradní díly", "Spare parts"),
    ("loan", "Zápůjčka náhradního HW", "Loan of replacement hardware"),
    ("hw-upgrade", "Upgrade hardwaru", "Hardware upgrade"),
    ("pentest", "Penetrační test", "Penetration test"),
    ("network", "Síť a konektivita", "Network and connectivity"),
    ("workstations", "Pracovní stanice", "Workstations"),
    ("access", "Přístupová práva", "Access rights"),
    ("other", "Ostatní", "Other"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("tickets", "Category")
    for position, (slug, name_cs, name_en) in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(
            slug=slug, defaults={"name_cs": name_cs, "name_en": name_en, "position": position * 10}
        )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0002_search_index")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
