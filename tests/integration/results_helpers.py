"""Cast ballots through the real submit path, quickly, for results tests."""

from __future__ import annotations

from collections.abc import Sequence

from consult.ballots import onbehalf, services
from consult.ballots.entries import Entered
from consult.ballots.rules import comment_field, rank_field
from consult.consultations.models import Consultation
from consult.members.models import Member
from tests.factories import AdminFactory, UserFactory


def cast(
    consultation: Consultation,
    member: Member,
    *,
    ranking: Sequence[int] = (),
    choice: Sequence[int] = (),
    value: int | str | None = None,
    text: str = "",
    write_in: str = "",
    comments: dict[int, str] | None = None,
    comment: str = "",
    draft: bool = False,
    entered: onbehalf.Provenance | None = None,
) -> None:
    """Answer for ``member`` as a delegate would: options are given by 1-based position;
    ``ranking`` applies to the first question, ``choice`` to the second, ``value`` to the
    third (Likert) and ``text`` to the fourth, as in ``build_consultation``. With ``entered``,
    the secretariat (a new administrator) enters it from that provenance instead."""
    user = AdminFactory(name="Ana Secretariat") if entered else UserFactory(member=member)
    fresh = services.load_consultation(consultation.slug)
    assert fresh is not None
    q = fresh.questions
    opts = [o.id for o in q[0].options]
    form: dict[str, list[str]] = {}
    for rank, position in enumerate(ranking, start=1):
        form[rank_field(q[0].id, opts[position - 1])] = [str(rank)]
    if write_in:
        form[f"q{q[0].id}-writein"] = [write_in]
    for position, words in (comments or {}).items():
        form[comment_field(q[0].id, opts[position - 1])] = [words]
    if choice:
        form[f"q{q[1].id}-choice"] = [str(q[1].options[p - 1].id) for p in choice]
    if value is not None:
        form[f"q{q[2].id}-value"] = [str(value)]
    if text:
        form[f"q{q[3].id}-text"] = [text]
    if comment:
        form["comment"] = [comment]
    response = services.current_response(fresh.id, member.id)
    outcome = services.save(
        fresh,
        user,
        form,
        submit=not draft,
        base_version=response.version if response else 0,
        token="",
        entry=Entered(member, entered) if entered else None,
    )
    assert not isinstance(outcome, list), outcome
