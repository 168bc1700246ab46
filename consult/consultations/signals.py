"""Events of a consultation's lifecycle, for whoever must react (notices by e-mail).

Each signal is sent by the consultation services *inside* the writing transaction, with the
keyword arguments ``session`` (the transaction's session), ``consultation`` (the
:class:`~consult.consultations.models.Consultation`), ``actor_id`` and ``notify`` (whether the
administrator asked to tell the invited delegates). Receivers write in the same transaction, so
the action and what it triggers commit or roll back together.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: The consultation was opened (by hand, or scheduled to open at ``opens_at``).
opened = _signals.signal("consultation-opened")
#: The deadline was extended, or a closed consultation reopened; also gets ``reason`` (a
#: :class:`~consult.core.text.Text`, English and the translations given).
deadline_extended = _signals.signal("consultation-deadline-extended")
#: The consultation was closed ahead of its deadline; also gets ``reason`` (a ``Text``).
closed = _signals.signal("consultation-closed")
#: The outcome and the results were published to the membership.
published = _signals.signal("consultation-published")
#: An import wrote the consultation (inside its transaction); also gets ``document`` (the
#: :class:`~consult.consultations.document.ConsultationDoc` read) and ``replaced`` (an existing
#: draft was overwritten). Receivers read the sections they own from ``document.extra``.
imported = _signals.signal("consultation-imported")
#: The consultation is being written as YAML: receivers add their sections to ``extra``.
dumping = _signals.signal("consultation-dumping")
#: The official result of each question is needed (to record or publish the outcome); also gets
#: ``found``, a list the receiver fills with
#: :class:`~consult.consultations.outcomes.OfficialResult` values. The results package counts
#: (it builds on consultations, so consultations asks through this signal).
counting = _signals.signal("consultation-counting")
#: A published outcome was corrected by an erratum; also gets ``reason`` (a ``Text``) and
#: ``erratum``.
corrected = _signals.signal("consultation-corrected")
