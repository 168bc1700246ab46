"""Deadlines read naturally in each official language, with the zone named."""

from datetime import UTC, datetime

import pytest

from consult.core.timefmt import format_moment

MOMENT = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "1 December 2026, 18:00 CET (Europe/Zurich)"),
        ("fr", "1 décembre 2026, 18:00 CET (Europe/Zurich)"),
        ("es", "1 de diciembre de 2026, 18:00 CET (Europe/Zurich)"),
    ],
)
def test_deadline_in_each_language(locale: str, expected: str) -> None:
    assert format_moment(MOMENT, "Europe/Zurich", locale) == expected


def test_summer_time_is_named() -> None:
    summer = datetime(2026, 7, 1, 7, 30, tzinfo=UTC)
    assert format_moment(summer, "Europe/Zurich", "en") == "1 July 2026, 09:30 CEST (Europe/Zurich)"
