"""SQLite: a submission replaces its response's answers where they differ, as PostgreSQL's does
(an answer given again as it was keeps its row)

The revision's trigger ``revision_replaces_answers`` deleted every answer of the response and
the submission inserted them all again: a ballot submitted again unchanged wrote each of its
rows twice (with their indexes, foreign keys and the counters' triggers). Now the submission inserts its whole ballot as one
row into the view ``answers_given`` (the response and its answer rows as a JSON array of
arrays, in the order of ``ballots.services._ANSWER_FIELDS``), whose ``INSTEAD OF`` trigger
deletes the stored rows that no given row repeats, then inserts the given rows that no stored
row repeats, two statements of the trigger in one of the save. Rows are compared as SQLite
writes them in JSON (``json_array`` of the stored columns against ``json_each``'s element):
the same text is the same row, and a row that only looks different is written again, never
wrongly kept. PostgreSQL already writes a submission this way in one statement.

The counted rankings (``ballot_ranking``) are then refreshed by the answers' own triggers
again, as the results counters' migration made them: a deleted ranking refreshes its question
at once (``answer_results_delete`` without the condition ``8d1e5b3c9f27`` added), and the
response's revision no longer refreshes all of its ballots (``response_results_revision``,
two statements on every submission, dropped). ``8d1e5b3c9f27`` deferred the refresh because
every answer was deleted and inserted again, which dropped and put back a ranking that had
not changed; now a ranking's rows are deleted only when that ranking changed or is no longer
given, and then its counted row changes anyway.

Revision ID: 6a2d9e4f8c13
Revises: 4b8e2f6a1c57
Create Date: 2026-12-07 01:30:00

"""

import importlib.util
from pathlib import Path

from alembic import op

# revision identifiers, used by Alembic.
revision = "6a2d9e4f8c13"
down_revision = "4b8e2f6a1c57"
branch_labels = None
depends_on = None

#: The answer's columns the ballot gives, in the order of each given row.
_COLUMNS = ("question_id", "option_id", "rank", "selected", "value", "text", "ranking_key")
_STORED = f"json_array({', '.join(_COLUMNS)})"
_GIVEN = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(_COLUMNS)))


def _ranking_kept():
    """The migration that deferred the rankings' refresh during a submission: its downgrade
    and upgrade give the triggers without and with the deferral."""
    path = Path(__file__).with_name("20261206_1640_8d1e5b3c9f27_ranking_kept_on_resubmission.py")
    spec = importlib.util.spec_from_file_location("ranking_kept", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    _ranking_kept().downgrade()
    op.execute("DROP TRIGGER revision_replaces_answers")
    op.execute("CREATE VIEW answers_given (response_id, answers) AS SELECT NULL, NULL WHERE 0")
    op.execute(
        "CREATE TRIGGER answers_given_replace INSTEAD OF INSERT ON answers_given BEGIN "
        f"DELETE FROM answer WHERE response_id = NEW.response_id AND {_STORED} "
        "NOT IN (SELECT value FROM json_each(NEW.answers)); "
        f"INSERT INTO answer (response_id, {', '.join(_COLUMNS)}) "
        f"SELECT NEW.response_id, {_GIVEN} FROM json_each(NEW.answers) "
        f"WHERE value NOT IN (SELECT {_STORED} FROM answer WHERE response_id = NEW.response_id); "
        "END"
    )


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER answers_given_replace")
    op.execute("DROP VIEW answers_given")
    op.execute(
        "CREATE TRIGGER revision_replaces_answers AFTER INSERT ON revision BEGIN "
        "DELETE FROM answer WHERE response_id = NEW.response_id; END"
    )
    _ranking_kept().upgrade()
