from django.db import migrations


def seed(apps, schema_editor):
    Team = apps.get_model("accounts", "Team")
    Team.objects.get_or_create(slug="servicedesk", defaults={"name": "Servicedesk", "is_first_level": True})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
