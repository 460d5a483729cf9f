"""Participant.n_votes and its triggers go (docs/decisions.md, round 7, vote-path).

The vote lane read the count the triggers kept; the one vote path counts a participant's votes
in its next-statement read instead, so nothing is maintained per vote any more. Going back
restores the column without its triggers (re-run 0003's backfill by hand if it matters).
"""

from django.db import migrations

DROP = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS deliberation_participant_tally ON deliberation_participant",
        "DROP FUNCTION IF EXISTS deliberation_participant_tally()",
        "DROP TRIGGER IF EXISTS deliberation_vote_tally_move ON deliberation_vote",
        "DROP TRIGGER IF EXISTS deliberation_vote_tally_insert_delete ON deliberation_vote",
        "DROP FUNCTION IF EXISTS deliberation_vote_tally()",
    ],
    "sqlite": [
        "DROP TRIGGER IF EXISTS deliberation_participant_tally",
        "DROP TRIGGER IF EXISTS deliberation_vote_tally_move",
        "DROP TRIGGER IF EXISTS deliberation_vote_tally_delete",
        "DROP TRIGGER IF EXISTS deliberation_vote_tally_insert",
    ],
}


def drop_triggers(apps, schema_editor):
    for sql in DROP.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("deliberation", "0005_opinion_link_renewed"),
    ]

    operations = [
        migrations.RunPython(drop_triggers, migrations.RunPython.noop),
        migrations.RemoveField(model_name="participant", name="n_votes"),
    ]
