"""results counted by the database: counted ballots' rankings and invitations kept by
triggers, with their counters (``consult.results.models``)

Two per-row tables are refreshed from the current state of what they copy, whoever writes
(the submit path, entries on behalf, imports, cascaded deletes): ``ballot_ranking`` (one row
per counted ranking ballot: a submitted response of an invited member, its ranking text and
whether its member is an observer) and ``participant`` (one row per invitation: the member's
kind, region and names, the response's status or ''). A refresh deletes the rows in its scope
that differ from what the current state gives, and inserts the missing ones: idempotent, so
that PostgreSQL's submit (one statement of data-modifying WITH queries, whose AFTER triggers
on answer and response all fire at its end and all see its final state) counts a ballot once
however many of them refresh it. Two counters, ``ranking_count`` and ``participant_count``,
follow the rows inserted into and deleted from those tables (their own triggers, from NEW and
OLD alone).

PostgreSQL refreshes once per statement (transition tables), after taking the audit chain's
advisory lock that every submission takes first (``consult.core.audit.CHAIN_LOCK``): a member
or invitation edit and a submission for the same member are serialised, and the one that
refreshes second reads (a new snapshot per statement) what the other committed. SQLite
serialises writers already, and refreshes once per row.

Revision ID: 9c4d2e7f1a35
Revises: 5e8c1a7d3b94
Create Date: 2026-12-06 11:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "9c4d2e7f1a35"
down_revision = "5e8c1a7d3b94"
branch_labels = None
depends_on = None

#: consult.core.audit.CHAIN_LOCK
CHAIN_LOCK = 727001

_INVITED = (
    "EXISTS (SELECT 1 FROM invitation i WHERE i.consultation_id = r.consultation_id "
    "AND i.member_id = r.member_id)"
)


def _ballots(where: str) -> str:
    """The counted ballots' rankings (response_id, question_id, ranking_key, observer) of the
    answers ``a`` that ``where`` selects."""
    return (
        "SELECT a.response_id, a.question_id, a.ranking_key, m.kind <> 'member_state' "
        "FROM answer a JOIN response r ON r.id = a.response_id "
        "JOIN member m ON m.id = r.member_id "
        f"WHERE ({where}) AND a.ranking_key IS NOT NULL AND r.status = 'submitted' "
        f"AND {_INVITED}"
    )


def _refresh_ballots(scope: str, answers: str, *, postgresql: bool) -> list[str]:
    """The statements that bring ``ballot_ranking``'s rows within ``scope`` (a condition on
    the table) in line with the answers ``a`` that ``answers`` selects."""
    same = (
        "a.response_id = ballot_ranking.response_id AND a.question_id = ballot_ranking.question_id "
        "AND a.ranking_key = ballot_ranking.ranking_key "
        "AND (m.kind <> 'member_state') = ballot_ranking.observer"
    )
    delete = f"DELETE FROM ballot_ranking WHERE ({scope}) AND NOT EXISTS ({_ballots(same)})"
    columns = "ballot_ranking (response_id, question_id, ranking_key, observer)"
    insert = (
        f"INSERT INTO {columns} {_ballots(answers)} ON CONFLICT DO NOTHING"
        if postgresql
        else f"INSERT OR IGNORE INTO {columns} {_ballots(answers)}"
    )
    return [delete, insert]


def _participants(where: str) -> str:
    """The invitations ``i`` that ``where`` selects, as ``participant`` rows."""
    return (
        "SELECT i.consultation_id, i.member_id, m.kind, m.region_id, g.name, m.name, "
        "COALESCE(r.status, '') FROM invitation i JOIN member m ON m.id = i.member_id "
        "JOIN region g ON g.id = m.region_id LEFT JOIN response r "
        "ON r.consultation_id = i.consultation_id AND r.member_id = i.member_id "
        f"WHERE {where}"
    )


def _refresh_participants(scope: str, invitations: str, *, postgresql: bool) -> list[str]:
    """The statements that bring ``participant``'s rows within ``scope`` in line with the
    invitations ``i`` that ``invitations`` selects."""
    same = (
        "i.consultation_id = participant.consultation_id AND i.member_id = participant.member_id "
        "AND m.kind = participant.kind AND m.region_id = participant.region_id "
        "AND g.name = participant.region_name AND m.name = participant.member_name "
        "AND COALESCE(r.status, '') = participant.status"
    )
    delete = f"DELETE FROM participant WHERE ({scope}) AND NOT EXISTS ({_participants(same)})"
    columns = (
        "participant (consultation_id, member_id, kind, region_id, region_name, member_name, "
        "status)"
    )
    insert = (
        f"INSERT INTO {columns} {_participants(invitations)} ON CONFLICT DO NOTHING"
        if postgresql
        else f"INSERT OR IGNORE INTO {columns} {_participants(invitations)}"
    )
    return [delete, insert]


def _counter(
    table: str, keys: tuple[str, ...], count: str, row: str, step: int, *, postgresql: bool
) -> list[str]:
    """Add ``step`` (1 or -1) to the counter ``table`` of the ``row`` (NEW or OLD) keyed by
    ``keys``; a counter that would fall to 0 is deleted. PostgreSQL: one statement for an
    increment (an upsert), and for a decrement one, or two when the row stays."""
    match = " AND ".join(f"{k} = {row}.{k}" for k in keys)
    values = ", ".join(f"{row}.{k}" for k in keys)
    if step > 0 and postgresql:
        return [
            f"INSERT INTO {table} ({', '.join(keys)}, {count}) VALUES ({values}, 1) "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {count} = {table}.{count} + 1"
        ]
    if step > 0:
        return [
            f"INSERT OR IGNORE INTO {table} ({', '.join(keys)}, {count}) VALUES ({values}, 0)",
            f"UPDATE {table} SET {count} = {count} + 1 WHERE {match}",
        ]
    if postgresql:
        return [
            f"DELETE FROM {table} WHERE {match} AND {count} <= 1",
            f"IF NOT FOUND THEN UPDATE {table} SET {count} = {count} - 1 WHERE {match}; END IF",
        ]
    return [
        f"UPDATE {table} SET {count} = {count} - 1 WHERE {match}",
        f"DELETE FROM {table} WHERE {match} AND {count} <= 0",
    ]


COUNTERS = {
    "ballot_ranking": ("ranking_count", ("question_id", "observer", "ranking_key"), "ballots"),
    "participant": (
        "participant_count",
        ("consultation_id", "kind", "region_id", "status"),
        "members",
    ),
}

#: Who refreshes what, on SQLite (one trigger per row): (table, event, WHEN, statements).
_RESPONSES_OF_INVITATION = (
    "SELECT id FROM response WHERE consultation_id = {row}.consultation_id "
    "AND member_id = {row}.member_id"
)


def _sqlite_triggers() -> list[tuple[str, str, str, list[str]]]:
    def ballot(row: str) -> list[str]:
        return _refresh_ballots(
            f"response_id = {row}.response_id AND question_id = {row}.question_id",
            f"a.response_id = {row}.response_id AND a.question_id = {row}.question_id",
            postgresql=False,
        )

    def ballots_of(responses: str) -> list[str]:
        return _refresh_ballots(
            f"response_id IN ({responses})", f"a.response_id IN ({responses})", postgresql=False
        )

    def invitation(row: str) -> list[str]:
        return _refresh_participants(
            f"consultation_id = {row}.consultation_id AND member_id = {row}.member_id",
            f"i.consultation_id = {row}.consultation_id AND i.member_id = {row}.member_id",
            postgresql=False,
        )

    member_changed = (
        "OLD.kind IS NOT NEW.kind OR OLD.region_id IS NOT NEW.region_id OR OLD.name IS NOT NEW.name"
    )
    moved = "OLD.consultation_id IS NOT NEW.consultation_id OR OLD.member_id IS NOT NEW.member_id"
    return [
        ("answer", "INSERT", "NEW.ranking_key IS NOT NULL", ballot("NEW")),
        ("answer", "DELETE", "OLD.ranking_key IS NOT NULL", ballot("OLD")),
        (
            "answer",
            "UPDATE OF response_id, question_id, ranking_key",
            "OLD.ranking_key IS NOT NULL OR NEW.ranking_key IS NOT NULL",
            ballot("OLD") + ballot("NEW"),
        ),
        ("response", "INSERT", "", invitation("NEW")),
        ("response", "DELETE", "", ballots_of("OLD.id") + invitation("OLD")),
        (
            "response",
            "UPDATE OF status, consultation_id, member_id",
            f"OLD.status IS NOT NEW.status OR {moved}",
            ballots_of("NEW.id") + invitation("OLD") + invitation("NEW"),
        ),
        (
            "invitation",
            "INSERT",
            "",
            ballots_of(_RESPONSES_OF_INVITATION.format(row="NEW")) + invitation("NEW"),
        ),
        (
            "invitation",
            "DELETE",
            "",
            ballots_of(_RESPONSES_OF_INVITATION.format(row="OLD")) + invitation("OLD"),
        ),
        (
            "member",
            "UPDATE OF kind, region_id, name",
            member_changed,
            ballots_of("SELECT id FROM response WHERE member_id = NEW.id")
            + _refresh_participants("member_id = NEW.id", "i.member_id = NEW.id", postgresql=False),
        ),
        (
            "region",
            "UPDATE OF name",
            "OLD.name IS NOT NEW.name",
            ["UPDATE participant SET region_name = NEW.name WHERE region_id = NEW.id"],
        ),
    ]


def _pg_functions() -> list[str]:
    ballots = _refresh_ballots(
        "response_id = ANY(responses)", "a.response_id = ANY(responses)", postgresql=True
    )
    pairs = "(SELECT * FROM unnest(consultations, members))"
    participants = _refresh_participants(
        f"(consultation_id, member_id) IN {pairs}",
        f"(i.consultation_id, i.member_id) IN {pairs}",
        postgresql=True,
    )
    lock = f"PERFORM pg_advisory_xact_lock({CHAIN_LOCK});"
    functions = [
        "CREATE FUNCTION consult_refresh_ballots(responses integer[]) RETURNS void "
        "LANGUAGE plpgsql AS $$ BEGIN IF coalesce(cardinality(responses), 0) = 0 THEN RETURN; END IF; "
        f"{lock} {'; '.join(ballots)}; END $$",
        "CREATE FUNCTION consult_refresh_participants(consultations integer[], members "
        "integer[]) RETURNS void LANGUAGE plpgsql AS $$ BEGIN "
        f"IF coalesce(cardinality(members), 0) = 0 THEN RETURN; END IF; {lock} "
        f"{'; '.join(participants)}; END $$",
    ]
    for table, (counter, keys, count) in COUNTERS.items():
        up = "; ".join(_counter(counter, keys, count, "NEW", 1, postgresql=True))
        down = "; ".join(_counter(counter, keys, count, "OLD", -1, postgresql=True))
        functions.append(
            f"CREATE FUNCTION consult_{table}_count() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN IF TG_OP = 'INSERT' THEN {up}; ELSE {down}; END IF; RETURN NULL; END $$"
        )
    # Statement triggers: ``changed`` (and for updates ``before``) are the transition tables;
    # ``cs``, ``ms``: the invitations (consultation, member) whose participant row to refresh.
    status_or_owner = (
        "FROM changed n JOIN before o ON o.id = n.id WHERE o.status IS DISTINCT FROM n.status "
        "OR o.consultation_id <> n.consultation_id OR o.member_id <> n.member_id"
    )
    member_changed = (
        "FROM invitation i JOIN changed n ON n.id = i.member_id JOIN before o ON o.id = n.id "
        "WHERE (o.kind, o.region_id, o.name) IS DISTINCT FROM (n.kind, n.region_id, n.name)"
    )
    refreshers = {
        "answer_ballots": [
            "PERFORM consult_refresh_ballots(ARRAY(SELECT DISTINCT response_id FROM changed "
            "WHERE ranking_key IS NOT NULL))"
        ],
        "answer_update_ballots": [
            "PERFORM consult_refresh_ballots(ARRAY(SELECT response_id FROM changed "
            "WHERE ranking_key IS NOT NULL UNION SELECT response_id FROM before "
            "WHERE ranking_key IS NOT NULL))"
        ],
        "response_participants": [
            "SELECT array_agg(consultation_id), array_agg(member_id) INTO cs, ms FROM changed",
            "PERFORM consult_refresh_participants(cs, ms)",
        ],
        "response_delete": [
            "PERFORM consult_refresh_ballots(ARRAY(SELECT id FROM changed))",
            "SELECT array_agg(consultation_id), array_agg(member_id) INTO cs, ms FROM changed",
            "PERFORM consult_refresh_participants(cs, ms)",
        ],
        # Only the responses whose status or owner changed (a draft saved changes neither).
        "response_update": [
            f"PERFORM consult_refresh_ballots(ARRAY(SELECT n.id {status_or_owner}))",
            "SELECT array_agg(c), array_agg(m) INTO cs, ms FROM ("
            f"SELECT n.consultation_id AS c, n.member_id AS m {status_or_owner} "
            f"UNION SELECT o.consultation_id, o.member_id {status_or_owner}) x",
            "PERFORM consult_refresh_participants(cs, ms)",
        ],
        "invitation": [
            "PERFORM consult_refresh_ballots(ARRAY(SELECT r.id FROM response r JOIN changed c "
            "ON c.consultation_id = r.consultation_id AND c.member_id = r.member_id))",
            "SELECT array_agg(consultation_id), array_agg(member_id) INTO cs, ms FROM changed",
            "PERFORM consult_refresh_participants(cs, ms)",
        ],
        "member": [
            "PERFORM consult_refresh_ballots(ARRAY(SELECT r.id FROM response r "
            "JOIN changed n ON n.id = r.member_id JOIN before o ON o.id = n.id "
            "WHERE o.kind IS DISTINCT FROM n.kind))",
            "SELECT array_agg(i.consultation_id), array_agg(i.member_id) INTO cs, ms "
            f"{member_changed}",
            "PERFORM consult_refresh_participants(cs, ms)",
        ],
        "region": [
            "UPDATE participant SET region_name = n.name FROM changed n "
            "WHERE participant.region_id = n.id AND participant.region_name <> n.name"
        ],
    }
    for name, body in refreshers.items():
        functions.append(
            f"CREATE FUNCTION consult_{name}_refresh() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"DECLARE cs integer[]; ms integer[]; BEGIN {'; '.join(body)}; RETURN NULL; END $$"
        )
    return functions


#: PostgreSQL's statement triggers: (table, event, function, transition tables).
_PG_TRIGGERS = [
    ("answer", "INSERT", "answer_ballots", "NEW TABLE AS changed"),
    ("answer", "DELETE", "answer_ballots", "OLD TABLE AS changed"),
    ("answer", "UPDATE", "answer_update_ballots", "OLD TABLE AS before NEW TABLE AS changed"),
    ("response", "INSERT", "response_participants", "NEW TABLE AS changed"),
    ("response", "DELETE", "response_delete", "OLD TABLE AS changed"),
    ("response", "UPDATE", "response_update", "OLD TABLE AS before NEW TABLE AS changed"),
    ("invitation", "INSERT", "invitation", "NEW TABLE AS changed"),
    ("invitation", "DELETE", "invitation", "OLD TABLE AS changed"),
    ("member", "UPDATE", "member", "OLD TABLE AS before NEW TABLE AS changed"),
    ("region", "UPDATE", "region", "OLD TABLE AS before NEW TABLE AS changed"),
]


def _trigger_name(table: str, event: str) -> str:
    return f"{table}_results_{event.split()[0].lower()}"


def upgrade():
    op.create_table(
        "ballot_ranking",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("ranking_key", sa.Text(), nullable=False),
        sa.Column("observer", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["question.id"],
            name=op.f("fk_ballot_ranking_question_id_question"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["response.id"],
            name=op.f("fk_ballot_ranking_response_id_response"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("response_id", "question_id", name=op.f("pk_ballot_ranking")),
    )
    op.create_index(
        op.f("ix_ballot_ranking_question_id"), "ballot_ranking", ["question_id"], unique=False
    )
    op.create_table(
        "ranking_count",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("observer", sa.Boolean(), nullable=False),
        sa.Column("ranking_key", sa.Text(), nullable=False),
        sa.Column("ballots", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["question.id"],
            name=op.f("fk_ranking_count_question_id_question"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "question_id", "observer", "ranking_key", name=op.f("pk_ranking_count")
        ),
    )
    op.create_table(
        "participant",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("region_name", sa.String(length=80), nullable=False),
        sa.Column("member_name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name=op.f("fk_participant_consultation_id_consultation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_participant_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"], name=op.f("fk_participant_region_id_region")
        ),
        sa.PrimaryKeyConstraint("consultation_id", "member_id", name=op.f("pk_participant")),
    )
    op.create_index(
        "ix_participant_listed",
        "participant",
        ["consultation_id", "status", "region_name", "member_name", "member_id"],
        unique=False,
    )
    op.create_index(
        "ix_participant_by_name",
        "participant",
        ["consultation_id", "member_name", "member_id"],
        unique=False,
    )
    op.create_index(op.f("ix_participant_member_id"), "participant", ["member_id"], unique=False)
    op.create_index(op.f("ix_participant_region_id"), "participant", ["region_id"], unique=False)
    op.create_table(
        "participant_count",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name=op.f("fk_participant_count_consultation_id_consultation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
            name=op.f("fk_participant_count_region_id_region"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "consultation_id", "kind", "region_id", "status", name=op.f("pk_participant_count")
        ),
    )
    backfill(op.get_bind())
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        for function in _pg_functions():
            op.execute(function)
        for table, event, function, transition in _PG_TRIGGERS:
            op.execute(
                f'CREATE TRIGGER {_trigger_name(table, event)} AFTER {event} ON "{table}" '
                f"REFERENCING {transition} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION consult_{function}_refresh()"
            )
        for table in COUNTERS:
            op.execute(
                f"CREATE TRIGGER {table}_counted AFTER INSERT OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION consult_{table}_count()"
            )
        return
    for table, event, when, statements in _sqlite_triggers():
        condition = f" WHEN {when}" if when else ""
        op.execute(
            f'CREATE TRIGGER {_trigger_name(table, event)} AFTER {event} ON "{table}"'
            f"{condition} BEGIN {'; '.join(statements)}; END"
        )
    for table, (counter, keys, count) in COUNTERS.items():
        up = _counter(counter, keys, count, "NEW", 1, postgresql=False)
        down = _counter(counter, keys, count, "OLD", -1, postgresql=False)
        op.execute(
            f"CREATE TRIGGER {table}_counted AFTER INSERT ON {table} BEGIN {'; '.join(up)}; END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_uncounted AFTER DELETE ON {table} BEGIN {'; '.join(down)}; END"
        )


def backfill(conn):
    """Every table filled from the rows already stored, before the triggers exist (a test
    runs it over rows the triggers kept and compares)."""
    for statement in (
        "INSERT INTO ballot_ranking (response_id, question_id, ranking_key, observer) "
        + _ballots("1 = 1"),
        "INSERT INTO participant (consultation_id, member_id, kind, region_id, region_name, "
        "member_name, status) " + _participants("1 = 1"),
        "INSERT INTO ranking_count (question_id, observer, ranking_key, ballots) "
        "SELECT question_id, observer, ranking_key, count(*) FROM ballot_ranking "
        "GROUP BY question_id, observer, ranking_key",
        "INSERT INTO participant_count (consultation_id, kind, region_id, status, members) "
        "SELECT consultation_id, kind, region_id, status, count(*) FROM participant "
        "GROUP BY consultation_id, kind, region_id, status",
    ):
        conn.exec_driver_sql(statement)


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        for table, event, _function, _transition in _PG_TRIGGERS:
            op.execute(f'DROP TRIGGER {_trigger_name(table, event)} ON "{table}"')
        for table in COUNTERS:
            op.execute(f"DROP TRIGGER {table}_counted ON {table}")
    for table in ("participant_count", "participant", "ranking_count", "ballot_ranking"):
        op.drop_table(table)
    if postgresql:
        for name in [f"{t}_count" for t in COUNTERS] + [
            "answer_ballots",
            "answer_update_ballots",
            "response_participants",
            "response_delete",
            "response_update",
            "invitation",
            "member",
            "region",
        ]:
            op.execute(
                f"DROP FUNCTION consult_{name}" + ("()" if name.endswith("count") else "_refresh()")
            )
        op.execute("DROP FUNCTION consult_refresh_ballots(integer[])")
        op.execute("DROP FUNCTION consult_refresh_participants(integer[], integer[])")
    else:
        for table, event, _when, _statements in _sqlite_triggers():
            op.execute(f"DROP TRIGGER IF EXISTS {_trigger_name(table, event)}")
