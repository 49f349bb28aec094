"""On PostgreSQL the database itself refuses a team or a venue booked twice at overlapping times.

An exclusion constraint over the session's time range ('[)': touching times are allowed),
for sessions that hold their booking (planned, confirmed, done). SQLite has no exclusion
constraints; there `outreach.services` checks the same rule (it does on both databases).
"""

from django.db import migrations

CONSTRAINTS = {
    "session_team_no_overlap": "team_id",
    "session_venue_no_overlap": "venue_id",
}


def add_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for name, column in CONSTRAINTS.items():
        schema_editor.execute(
            f"ALTER TABLE outreach_session ADD CONSTRAINT {name} EXCLUDE USING gist ("
            f"{column} WITH =, tsrange(date + start_time, date + end_time, '[)') WITH &&"
            ") WHERE (status IN ('planned', 'confirmed', 'done'))"
        )


def remove_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in CONSTRAINTS:
        schema_editor.execute(f"ALTER TABLE outreach_session DROP CONSTRAINT IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("outreach", "0001_initial")]

    operations = [migrations.RunPython(add_constraints, remove_constraints)]
