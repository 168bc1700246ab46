"""The members' responses as the consultation services read them (who answered, whether anyone
did, the write-ins to group): Core stubs of the ballots' tables.

Ballots own the responses and sit above consultations in the layers (they import the
consultation, its questions and kinds); the few reads a consultation needs go through these
stubs instead of ``consult.ballots.models``. ``tests/unit/test_response_stubs.py`` holds every
column named here to the ballots' model, so a change there fails a test rather than a query.
"""

from __future__ import annotations

import sqlalchemy as sa

from consult.consultations.enums import ResponseStatus

response = sa.table(
    "response",
    sa.column("id", sa.Integer),
    sa.column("consultation_id", sa.Integer),
    sa.column("member_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("submitted_at", sa.DateTime),
)

answer = sa.table(
    "answer",
    sa.column("response_id", sa.Integer),
    sa.column("question_id", sa.Integer),
    sa.column("option_id", sa.Integer),
    sa.column("text", sa.Text),
)

SUBMITTED = ResponseStatus.SUBMITTED.value
