"""Write-in suggestions are grouped as a reader would group them."""

from consult.core.plaintext import WriteIn, group_write_ins, normalise


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
