from django.db import migrations


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        # FTS5 table keyed by ticket id (rowid); the text is already normalized (no diacritics).
        schema_editor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS tickets_fts USING fts5(body, tokenize='unicode61 remove_diacritics 2')"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS tickets_search_gin ON tickets_ticketsearchdocument"
            " USING gin (to_tsvector('simple', body))"
        )


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS tickets_fts")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS tickets_search_gin")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(create_index, drop_index)]
