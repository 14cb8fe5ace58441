"""What an import skipped and corrected (Capture.report), a job waiting for its chats to be
chosen (a whole Telegram account), and search for every script.

Search, for scripts written without spaces (Chinese, Japanese, Thai, Lao, Khmer,
Myanmar), where a word is found inside a run of text, not between spaces:

SQLite: a second external-content FTS5 table with the ``trigram`` tokenizer, kept in
step by triggers that index only items whose text holds such a script (the rest of
the archive pays nothing for it). Like the triggers of 0002, a later migration that
rebuilds listening_item on SQLite must create these again.

PostgreSQL: ``pg_trgm`` (a trusted extension: the database owner may create it) and
a partial GIN trigram index on the same items; the text's tsvector stored in a
generated column with its own GIN index, replacing 0002's expression index, so a
search no longer computes to_tsvector again for every candidate row; and an index in
the order results are shown (newest first), so a common word's first page is read
in order instead of sorted from all its matches.
"""

from django.db import migrations, models

# The scripts written without spaces between words, as code point ranges: Thai and Lao,
# Myanmar, Khmer, Japanese kana, CJK ideographs (extension A, unified, compatibility),
# half-width katakana. listening/search.py routes queries in them with the same ranges.
RANGES = [
    ("\u0e00", "\u0eff"),
    ("\u1000", "\u109f"),
    ("\u1780", "\u17ff"),
    ("\u3040", "\u30ff"),
    ("\u3400", "\u4dbf"),
    ("\u4e00", "\u9fff"),
    ("\uf900", "\ufaff"),
    ("\uff66", "\uff9f"),
]
CLASS = "[" + "".join(f"{low}-{high}" for low, high in RANGES) + "]"
SQLITE_HAS_SCRIPT = "{column} GLOB '*" + CLASS + "*'"

SQLITE_FORWARD = [
    """
    CREATE VIRTUAL TABLE IF NOT EXISTS listening_item_trigram USING fts5(
        text, content='listening_item', content_rowid='id', tokenize='trigram'
    )
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS listening_item_trigram_insert AFTER INSERT ON listening_item
    WHEN {SQLITE_HAS_SCRIPT.format(column="new.text")}
    BEGIN
        INSERT INTO listening_item_trigram(rowid, text) VALUES (new.id, new.text);
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS listening_item_trigram_delete AFTER DELETE ON listening_item
    WHEN {SQLITE_HAS_SCRIPT.format(column="old.text")}
    BEGIN
        INSERT INTO listening_item_trigram(listening_item_trigram, rowid, text)
        VALUES ('delete', old.id, old.text);
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS listening_item_trigram_update_old
    AFTER UPDATE OF text ON listening_item
    WHEN {SQLITE_HAS_SCRIPT.format(column="old.text")}
    BEGIN
        INSERT INTO listening_item_trigram(listening_item_trigram, rowid, text)
        VALUES ('delete', old.id, old.text);
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS listening_item_trigram_update_new
    AFTER UPDATE OF text ON listening_item
    WHEN {SQLITE_HAS_SCRIPT.format(column="new.text")}
    BEGIN
        INSERT INTO listening_item_trigram(rowid, text) VALUES (new.id, new.text);
    END
    """,
    "INSERT INTO listening_item_trigram(rowid, text) SELECT id, text FROM listening_item "
    f"WHERE {SQLITE_HAS_SCRIPT.format(column='text')}",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS listening_item_trigram_update_new",
    "DROP TRIGGER IF EXISTS listening_item_trigram_update_old",
    "DROP TRIGGER IF EXISTS listening_item_trigram_delete",
    "DROP TRIGGER IF EXISTS listening_item_trigram_insert",
    "DROP TABLE IF EXISTS listening_item_trigram",
]

POSTGRESQL_HAS_SCRIPT = "text ~ '" + CLASS + "'"
POSTGRESQL_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "ALTER TABLE listening_item ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, text)) STORED",
    "CREATE INDEX IF NOT EXISTS listening_item_search_vector "
    "ON listening_item USING gin (search_vector)",
    "DROP INDEX IF EXISTS listening_item_text_search",
    # Results come newest first, unknown times last: in this order, a search for a
    # common word reads the newest items until a page is full, instead of fetching and
    # sorting every match.
    "CREATE INDEX IF NOT EXISTS listening_item_campaign_newest "
    "ON listening_item (campaign_id, created_at DESC NULLS LAST, id DESC)",
    "CREATE INDEX IF NOT EXISTS listening_item_text_trigram ON listening_item "
    f"USING gin (text gin_trgm_ops) WHERE {POSTGRESQL_HAS_SCRIPT}",
]
POSTGRESQL_BACKWARD = [
    "DROP INDEX IF EXISTS listening_item_text_trigram",
    "DROP INDEX IF EXISTS listening_item_campaign_newest",
    "CREATE INDEX IF NOT EXISTS listening_item_text_search "
    "ON listening_item USING gin (to_tsvector('simple'::regconfig, text))",
    "DROP INDEX IF EXISTS listening_item_search_vector",
    "ALTER TABLE listening_item DROP COLUMN IF EXISTS search_vector",
]


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
    dependencies = [("listening", "0006_alert_checkpoint")]

    operations = [
        migrations.AddField(
            model_name="capture",
            name="report",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AlterField(
            model_name="importjob",
            name="state",
            field=models.CharField(
                choices=[
                    ("choosing", "waiting for the chats to be chosen"),
                    ("queued", "waiting for the worker"),
                    ("running", "importing"),
                    ("done", "done"),
                    ("failed", "failed"),
                ],
                default="queued",
                max_length=10,
            ),
        ),
        RunSQLOn("sqlite", SQLITE_FORWARD, SQLITE_BACKWARD),
        RunSQLOn("postgresql", POSTGRESQL_FORWARD, POSTGRESQL_BACKWARD),
    ]
