"""Participant.n_votes, kept by triggers (PostgreSQL and SQLite).

Triggers rather than application code, so that every way a vote is inserted, moved or deleted
(the vote lane's batch, the ORM, a cascade, an import) keeps the count exact. A participant
inserted after its votes (an import may order rows so) starts from their count.
"""

from django.db import migrations, models

POSTGRESQL = [
    """
    CREATE FUNCTION deliberation_vote_tally() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE deliberation_participant SET n_votes = n_votes - 1 WHERE id = OLD.participant_id;
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE deliberation_participant SET n_votes = n_votes + 1 WHERE id = NEW.participant_id;
      END IF;
      RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER deliberation_vote_tally_insert_delete AFTER INSERT OR DELETE ON deliberation_vote "
    "FOR EACH ROW EXECUTE FUNCTION deliberation_vote_tally()",
    "CREATE TRIGGER deliberation_vote_tally_move AFTER UPDATE OF participant_id ON deliberation_vote "
    "FOR EACH ROW WHEN (OLD.participant_id IS DISTINCT FROM NEW.participant_id) "
    "EXECUTE FUNCTION deliberation_vote_tally()",
    """
    CREATE FUNCTION deliberation_participant_tally() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.n_votes := (SELECT count(*) FROM deliberation_vote WHERE participant_id = NEW.id);
      RETURN NEW;
    END $$
    """,
    "CREATE TRIGGER deliberation_participant_tally BEFORE INSERT ON deliberation_participant "
    "FOR EACH ROW EXECUTE FUNCTION deliberation_participant_tally()",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS deliberation_participant_tally ON deliberation_participant",
    "DROP FUNCTION IF EXISTS deliberation_participant_tally()",
    "DROP TRIGGER IF EXISTS deliberation_vote_tally_move ON deliberation_vote",
    "DROP TRIGGER IF EXISTS deliberation_vote_tally_insert_delete ON deliberation_vote",
    "DROP FUNCTION IF EXISTS deliberation_vote_tally()",
]
SQLITE = [
    "CREATE TRIGGER deliberation_vote_tally_insert AFTER INSERT ON deliberation_vote BEGIN "
    "UPDATE deliberation_participant SET n_votes = n_votes + 1 WHERE id = NEW.participant_id; END",
    "CREATE TRIGGER deliberation_vote_tally_delete AFTER DELETE ON deliberation_vote BEGIN "
    "UPDATE deliberation_participant SET n_votes = n_votes - 1 WHERE id = OLD.participant_id; END",
    "CREATE TRIGGER deliberation_vote_tally_move AFTER UPDATE OF participant_id ON deliberation_vote "
    "WHEN OLD.participant_id IS NOT NEW.participant_id BEGIN "
    "UPDATE deliberation_participant SET n_votes = n_votes - 1 WHERE id = OLD.participant_id; "
    "UPDATE deliberation_participant SET n_votes = n_votes + 1 WHERE id = NEW.participant_id; END",
    "CREATE TRIGGER deliberation_participant_tally AFTER INSERT ON deliberation_participant BEGIN "
    "UPDATE deliberation_participant SET n_votes = "
    "(SELECT count(*) FROM deliberation_vote WHERE participant_id = NEW.id) WHERE id = NEW.id; END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS deliberation_participant_tally",
    "DROP TRIGGER IF EXISTS deliberation_vote_tally_move",
    "DROP TRIGGER IF EXISTS deliberation_vote_tally_delete",
    "DROP TRIGGER IF EXISTS deliberation_vote_tally_insert",
]
BACKFILL = (
    "UPDATE deliberation_participant SET n_votes = "
    "(SELECT count(*) FROM deliberation_vote v WHERE v.participant_id = deliberation_participant.id)"
)


def _run(schema_editor, statements: dict) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise RuntimeError(f"no vote tally trigger for {vendor}: PostgreSQL and SQLite are supported")
    for sql in statements[vendor]:
        schema_editor.execute(sql)


def create_triggers(apps, schema_editor):
    _run(schema_editor, {"postgresql": [*POSTGRESQL, BACKFILL], "sqlite": [*SQLITE, BACKFILL]})


def drop_triggers(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP})


class Migration(migrations.Migration):
    dependencies = [
        ("deliberation", "0002_lean_vote_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="participant",
            name="n_votes",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
