"""Events of the registry, for whoever must react (accounts end their sessions).

Sent by the members services *inside* the writing transaction, with the keyword arguments
``session`` and ``member``: receivers write in the same transaction, so the change and what it
triggers commit or roll back together.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: The member was deactivated: its delegates must lose access at once.
deactivated = _signals.signal("member-deactivated")
