"""The secretariat enters a response on behalf of a member state (pages; the rules are in
``consult/ballots/onbehalf.py`` and the save in ``consult/ballots/services.py``)."""
