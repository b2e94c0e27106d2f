"""The table of the shared cache (settings.CACHES without REDIS_URL): sign-in rate limits must hold across every
gunicorn worker, so they cannot live in one process's memory. Created even when Redis is configured, so switching
back needs no extra step."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "servicedesk_cache"


def create(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0  # set by handle() otherwise; read when the table already exists
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_invitation")]

    operations = [migrations.RunPython(create, drop)]
