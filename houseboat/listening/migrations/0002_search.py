"""Full-text search over items' text: FTS5 on SQLite, a GIN index on PostgreSQL.

SQLite: an external-content FTS5 table (the text is not stored twice) kept in step
with listening_item by triggers, so the ingest pipeline's set-based inserts, the
cascade of a deleted campaign and any edit keep the index right without Python.
A later migration that rebuilds listening_item on SQLite (Django does that for many
field changes) drops these triggers: it must create them again, and
tests/listening/test_search.py fails until it does.

PostgreSQL: a GIN index on to_tsvector('simple', text). 'simple' lower-cases and
splits words without stemming or stop words, because the archive is multilingual.
"""

from django.db import migrations

SQLITE_TABLE = """
CREATE VIRTUAL TABLE IF NOT EXISTS listening_item_fts USING fts5(
    text, content='listening_item', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2'
)
"""

SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER IF NOT EXISTS listening_item_fts_insert AFTER INSERT ON listening_item
    BEGIN
        INSERT INTO listening_item_fts(rowid, text) VALUES (new.id, new.text);
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS listening_item_fts_delete AFTER DELETE ON listening_item
    BEGIN
        INSERT INTO listening_item_fts(listening_item_fts, rowid, text)
        VALUES ('delete', old.id, old.text);
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS listening_item_fts_update AFTER UPDATE OF text ON listening_item
    BEGIN
        INSERT INTO listening_item_fts(listening_item_fts, rowid, text)
        VALUES ('delete', old.id, old.text);
        INSERT INTO listening_item_fts(rowid, text) VALUES (new.id, new.text);
    END
    """,
]

SQLITE_FORWARD = [
    SQLITE_TABLE,
    *SQLITE_TRIGGERS,
    "INSERT INTO listening_item_fts(listening_item_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS listening_item_fts_update",
    "DROP TRIGGER IF EXISTS listening_item_fts_delete",
    "DROP TRIGGER IF EXISTS listening_item_fts_insert",
    "DROP TABLE IF EXISTS listening_item_fts",
]

POSTGRESQL_FORWARD = [
    "CREATE INDEX IF NOT EXISTS listening_item_text_search "
    "ON listening_item USING gin (to_tsvector('simple'::regconfig, text))",
]
POSTGRESQL_BACKWARD = ["DROP INDEX IF EXISTS listening_item_text_search"]


class RunSQLOn(migrations.RunSQL):
    """RunSQL that runs on one database vendor and does nothing on the others."""

    def __init__(self, vendor: str, sql, reverse_sql):
        super().__init__(sql, reverse_sql)
        self.vendor = vendor

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("listening", "0001_initial")]

    operations = [
        RunSQLOn("sqlite", SQLITE_FORWARD, SQLITE_BACKWARD),
        RunSQLOn("postgresql", POSTGRESQL_FORWARD, POSTGRESQL_BACKWARD),
    ]
