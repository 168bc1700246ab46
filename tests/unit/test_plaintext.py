"""Write-in suggestions are grouped as a reader would group them."""

from consult.core.plaintext import (
    Grouping,
    Join,
    WriteIn,
    group_write_ins,
    join_key,
    normalise,
    split_key,
)


def test_case_spacing_accents_and_edge_punctuation_do_not_split_a_group():
    assert normalise("  Migration  et  Santé. ") == normalise("migration et sante")
    assert normalise("«Migración y salud»") == "migracion y salud"


def test_groups_are_ordered_by_support_and_keep_who_suggested():
    groups = group_write_ins(
        [
            WriteIn("Climate and migration", 7),
            WriteIn("Migration et Santé", 1),
            WriteIn("migration et sante", 2),
            WriteIn("Migration et Santé", 3),
            WriteIn("MIGRATION ET SANTÉ", 3),
        ]
    )
    assert [g.label for g in groups] == ["Migration et Santé", "Climate and migration"]
    assert groups[0].member_ids == (1, 2, 3)
    assert groups[0].count == 3
    assert set(groups[0].variants) == {
        "Migration et Santé",
        "migration et sante",
        "MIGRATION ET SANTÉ",
    }


def test_blank_or_punctuation_only_suggestions_are_dropped():
    assert group_write_ins([WriteIn(" ... ", 1), WriteIn("", 2)]) == []


# Joined and split by hand -----------------------------------------------------------------

SUGGESTIONS = [
    WriteIn("Migration and climate change", 1),
    WriteIn("Migración y cambio climático", 2),
    WriteIn("migration and climate change.", 3),
    WriteIn("Migration et climat", 4),
    WriteIn("Labour mobility", 5),
]
CLIMATE = {"migration and climate change", "migracion y cambio climatico", "migration et climat"}


def test_joined_groups_are_one_group_under_the_given_name_with_every_member():
    groups = group_write_ins(SUGGESTIONS, Grouping((Join(7, frozenset(CLIMATE), "Climate"),)))
    assert [(g.label, g.count) for g in groups] == [("Climate", 4), ("Labour mobility", 1)]
    joined = groups[0]
    assert joined.key == join_key(7)
    assert joined.join_id == 7
    assert joined.member_ids == (1, 2, 3, 4)
    assert set(joined.parts) == CLIMATE
    assert joined.variants[0] == "Climate"  # the label first, then every spelling
    assert set(joined.variants[1:]) == {s.text for s in SUGGESTIONS[:4]}


def test_a_join_without_a_name_takes_the_spelling_used_most():
    groups = group_write_ins(
        [*SUGGESTIONS, WriteIn("Migration et climat", 6)],
        Grouping((Join(1, frozenset({"migration et climat", "labour mobility"})),)),
    )
    by_label = {g.label: g for g in groups}
    assert by_label["Migration et climat"].member_ids == (4, 5, 6)
    assert by_label["Migration et climat"].variants == ("Migration et climat", "Labour mobility")


def test_a_split_suggestion_stands_alone_even_inside_a_join():
    grouping = Grouping(
        (Join(7, frozenset(CLIMATE), "Climate"),),
        frozenset({(3, "migration and climate change")}),
    )
    groups = group_write_ins(SUGGESTIONS, grouping)
    alone = next(g for g in groups if g.split)
    assert alone.key == split_key(3, "migration and climate change")
    assert (alone.label, alone.member_ids) == ("migration and climate change.", (3,))
    assert next(g for g in groups if g.join_id == 7).member_ids == (1, 2, 4)


def test_a_split_applies_to_that_member_and_that_wording_only():
    grouping = Grouping(splits=frozenset({(1, "migration and climate change")}))
    revised = [WriteIn("Return migration", 1), *SUGGESTIONS[1:]]
    assert not any(g.split for g in group_write_ins(revised, grouping))
    groups = group_write_ins(SUGGESTIONS, grouping)
    assert [g.member_ids for g in groups if g.split] == [(1,)]
    assert next(g for g in groups if g.key == "migration and climate change").member_ids == (3,)


def test_rules_naming_suggestions_nobody_wrote_change_nothing():
    grouping = Grouping(
        (Join(2, frozenset({"gone", "also gone"}), "Old"),), frozenset({(9, "gone")})
    )
    assert group_write_ins(SUGGESTIONS, grouping) == group_write_ins(SUGGESTIONS)


def test_a_new_suggestion_worded_like_a_joined_one_joins_the_group():
    grouping = Grouping((Join(7, frozenset(CLIMATE), "Climate"),))
    groups = group_write_ins([*SUGGESTIONS, WriteIn("MIGRATION ET CLIMAT!", 8)], grouping)
    assert groups[0].member_ids == (1, 2, 3, 4, 8)
