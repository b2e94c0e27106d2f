from django.db import migrations

ALL_DAY = "00:00-24:00"
OFFICE = "08:00-17:00"


def create(apps, schema_editor):
    ServiceCalendar = apps.get_model("sla", "ServiceCalendar")
    ServiceCalendar.objects.get_or_create(
        name="24×7",
        defaults={day: ALL_DAY for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")}
        | {"holiday_country": ""},
    )
    ServiceCalendar.objects.get_or_create(
        name="Mon–Fri 8:00–17:00",
        defaults={day: OFFICE for day in ("monday", "tuesday", "wednesday", "thursday", "friday")}
        | {"holiday_country": "CZ"},
    )


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
