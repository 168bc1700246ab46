"""core.kept: the most recently used values stay, up to the bound."""

from consult.core.kept import Kept


def test_the_least_recently_used_value_goes_first():
    kept: Kept[str, int] = Kept(2)
    kept.keep("a", 1)
    kept.keep("b", 2)
    assert kept.get("a") == 1  # "a" is now the most recently used
    kept.keep("c", 3)
    assert kept.get("b") is None
    assert (kept.get("a"), kept.get("c"), len(kept)) == (1, 3, 2)


def test_a_value_is_made_once_and_then_kept():
    kept: Kept[str, list[int]] = Kept(4)
    made: list[int] = []

    def make() -> list[int]:
        made.append(1)
        return [len(made)]

    first = kept.get_or_make("k", make)
    assert kept.get_or_make("k", make) is first
    assert made == [1]
    kept.clear()
    assert kept.get_or_make("k", make) == [2]
