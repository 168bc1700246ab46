"""Helpers to fill the ballot form as a delegate would."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from consult.consultations.models import Consultation

_HIDDEN = re.compile(r'<input type="hidden" name="(csrf_token|version|token)" value="([^"]*)">')


def hidden_fields(client: FlaskClient, slug: str) -> dict[str, str]:
    page = client.get(f"/consultations/{slug}").get_data(as_text=True)
    return dict(_HIDDEN.findall(page))


def ids(consultation: Consultation) -> dict[str, int]:
    """q1..q4 = question ids; q1o1.. = option ids, by position."""
    out: dict[str, int] = {}
    for qi, q in enumerate(consultation.questions, start=1):
        out[f"q{qi}"] = q.id
        for oi, o in enumerate(q.options, start=1):
            out[f"q{qi}o{oi}"] = o.id
    return out


def ranking_form(c: Consultation, ranks: dict[int, str], **extra: str) -> dict[str, object]:
    """Form fields ranking options of the first question by position: {position: rank}."""
    q = c.questions[0]
    form: dict[str, object] = {
        f"q{q.id}-rank-{o.id}": ranks.get(i, "") for i, o in enumerate(q.options, start=1)
    }
    form.update(extra)
    return form


def post_ballot(
    client: FlaskClient, slug: str, form: dict[str, object], action: str = "submit", **hidden: str
):
    fields = hidden_fields(client, slug)
    fields.update(hidden)
    data = {**form, **fields, "action": action}
    return client.post(f"/consultations/{slug}", data=data)
