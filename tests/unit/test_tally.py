"""Ranking tallies, hand-worked: every method, every step of the runoff tie rule, edge cases."""

from __future__ import annotations

import pytest

from consult.tally import (
    IRVRound,
    Profile,
    TieBreak,
    borda,
    first_preferences,
    instant_runoff,
    pairwise,
    schulze,
    tally_ranking,
)

A, B, C, D, E = 11, 12, 13, 14, 15


def profile(options, *groups):
    """A profile from ``(count, ranking)`` groups."""
    return Profile.from_ballots(options, [r for count, r in groups for _ in range(count)])


# Profile


def test_identical_rankings_are_grouped_and_empty_ones_dropped():
    p = Profile.from_ballots([A, B, C], [(A, B), (B,), (A, B), (), [C, A]])
    assert p.rankings == {(A, B): 2, (B,): 1, (C, A): 1}
    assert p.ballots == 4
    assert p.options == (A, B, C)


@pytest.mark.parametrize(
    ("options", "ballots", "message"),
    [
        ([A, B], [(A, C)], "not on the ballot"),
        ([A, B], [(A, B, A)], "ranked twice"),
        ([A, A], [(A,)], "appears twice on the ballot"),
    ],
)
def test_a_ranking_the_ballot_does_not_allow_is_refused(options, ballots, message):
    with pytest.raises(ValueError, match=message):
        Profile.from_ballots(options, ballots)


def test_direct_construction_is_checked_too():
    with pytest.raises(ValueError, match="empty"):
        Profile((A, B), {(): 1})
    with pytest.raises(ValueError, match="counted 0 times"):
        Profile((A, B), {(A,): 0})


# First preferences


def test_first_preferences_count_the_top_choice_of_each_ballot():
    first = first_preferences(profile([A, B, C], (3, (A, B, C)), (2, (B, A)), (1, (C,))))
    assert first.ballots == 6
    assert first.counts == {A: 3, B: 2, C: 1}
    assert first.shares == {A: 0.5, B: 2 / 6, C: 1 / 6}
    assert first.leaders == (A,)


def test_first_preference_leaders_keep_a_tie_in_ballot_order():
    first = first_preferences(profile([C, B, A], (1, (A,)), (1, (B,))))
    assert first.counts == {C: 0, B: 1, A: 1}
    assert first.leaders == (B, A)


# Borda


def test_borda_shares_the_positions_left_among_the_unranked_options():
    # 4 options: ranks earn 3, 2, 1, 0. (A, B) leaves 1 + 0 to C and D: 0.5 each;
    # (C) leaves 2 + 1 + 0 to A, B, D: 1 each.
    points = borda(profile([A, B, C, D], (1, (A, B)), (1, (C,)), (1, (D, C, B, A))))
    assert points.points == {A: 4.0, B: 4.0, C: 5.5, D: 4.5}
    assert sum(points.points.values()) == 3 * 6
    assert points.winners == (C,)
    assert points.rule == "averaged"


def test_borda_reports_every_option_tied_at_the_top():
    points = borda(profile([A, B, C], (1, (A, B, C)), (1, (B, A, C))))
    assert points.points == {A: 3.0, B: 3.0, C: 0.0}
    assert points.winners == (A, B)


# Pairwise


def test_an_option_ranked_beats_the_unranked_and_two_unranked_are_not_compared():
    pairs = pairwise(profile([A, B, C], (1, (A, B, C)), (1, (B,)), (1, (C, A))))
    assert pairs.matrix == {
        (A, B): 2,  # (A, B, C) and (C, A)
        (B, A): 1,  # (B): B ranked, A not
        (A, C): 1,
        (C, A): 1,  # (B) leaves both A and C unranked: no comparison
        (B, C): 2,
        (C, B): 1,
    }
    assert pairs.wins == {A: 1, B: 1, C: 0}
    assert pairs.margin(A, B) == 1
    assert pairs.condorcet_winner is None  # A only ties C
    assert pairs.condorcet_loser is None  # C only ties A


def test_condorcet_winner_and_loser():
    pairs = pairwise(profile([A, B, C], (3, (B, A, C)), (1, (A, C)), (1, (C, B, A))))
    assert pairs.condorcet_winner == B
    assert pairs.condorcet_loser == C
    assert pairs.wins == {A: 1, B: 2, C: 0}


CYCLE = profile([A, B, C], (4, (A, B, C)), (3, (B, C, A)), (2, (C, A, B)))


def test_a_condorcet_cycle_has_no_winner_and_schulze_decides():
    pairs = pairwise(CYCLE)
    # A beats B 6-3, B beats C 7-2, C beats A 5-4.
    assert (pairs.margin(A, B), pairs.margin(B, C), pairs.margin(C, A)) == (3, 5, 1)
    assert pairs.condorcet_winner is None
    assert pairs.condorcet_loser is None
    result = schulze(CYCLE)
    # Weakest link of the cycle is C over A (1): A reaches C through B with strength 3.
    assert result.strongest == {
        (A, B): 3,
        (A, C): 3,
        (B, A): 1,
        (B, C): 5,
        (C, A): 1,
        (C, B): 1,
    }
    assert result.winners == (A,)
    assert result.order == ((A,), (B,), (C,))


# Schulze


def test_schulze_on_the_published_45_voter_example():
    # Markus Schulze's example (also on Wikipedia): winner E, order E > A > C > B > D. With
    # complete rankings, margins = 2 × winning votes − 45, so both variants agree.
    p = profile(
        [A, B, C, D, E],
        (5, (A, C, B, E, D)),
        (5, (A, D, E, C, B)),
        (8, (B, E, D, A, C)),
        (3, (C, A, B, E, D)),
        (7, (C, A, E, B, D)),
        (2, (C, B, A, D, E)),
        (7, (D, C, E, B, A)),
        (8, (E, B, A, D, C)),
    )
    result = schulze(p)
    assert result.winners == (E,)
    assert result.order == ((E,), (A,), (C,), (B,), (D,))
    assert result.strongest[A, B] == 2 * 28 - 45
    assert result.strongest[E, D] == 2 * 31 - 45
    assert tally_ranking(p).pairwise.condorcet_winner is None


def test_schulze_keeps_a_tie_as_one_tier():
    result = schulze(profile([A, B, C], (1, (A, B, C)), (1, (B, A, C))))
    assert result.winners == (A, B)
    assert result.order == ((A, B), (C,))


# Instant runoff


def test_the_condorcet_winner_can_lose_the_runoff():
    # C is everyone's second choice but the first of only 2: eliminated first.
    p = profile([A, B, C], (4, (A, C, B)), (3, (B, C, A)), (2, (C, A, B)))
    assert pairwise(p).condorcet_winner == C
    irv = instant_runoff(p)
    assert irv.rounds == (
        IRVRound(1, {A: 4, B: 3, C: 2}, 0, (C,), {A: 2, B: 0}, None, 0),
        IRVRound(2, {A: 6, B: 3}, 0, (), {}, None),
    )
    assert irv.winner == A
    assert irv.majority
    assert not irv.ties


def test_a_majority_in_the_first_round_ends_the_count():
    irv = instant_runoff(profile([A, B, C], (3, (B,)), (2, (A, B))))
    assert irv.winner == B
    assert irv.majority
    assert [r.number for r in irv.rounds] == [1]


def test_exhausted_ballots_leave_the_count_and_lower_the_majority_needed():
    # 9 ballots: after C goes, its 2 ballots name nobody else. A's 4 of the 7 continuing win.
    irv = instant_runoff(profile([A, B, C], (4, (A,)), (3, (B,)), (2, (C,))))
    assert irv.rounds[0].newly_exhausted == 2
    assert irv.rounds[0].transfers == {A: 0, B: 0}
    assert irv.rounds[1] == IRVRound(2, {A: 4, B: 3}, 2, (), {}, None)
    assert irv.winner == A
    assert irv.majority


def test_one_option_is_eliminated_per_round_even_with_no_votes():
    irv = instant_runoff(profile([A, B, C, D], (2, (A,)), (2, (B,)), (1, (C, B))))
    assert [r.eliminated for r in irv.rounds] == [(D,), (C,), ()]
    assert irv.rounds[1].transfers == {A: 0, B: 1}
    assert irv.winner == B


def test_tie_rule_previous_round():
    # Round 2: B and C tie at 4; in round 1 C had 3, B had 4, so C goes.
    p = profile([A, B, C, D], (5, (A,)), (4, (B,)), (3, (C,)), (1, (D, C)))
    irv = instant_runoff(p)
    assert [dict(r.counts) for r in irv.rounds] == [
        {A: 5, B: 4, C: 3, D: 1},
        {A: 5, B: 4, C: 4},
        {A: 5, B: 4},
    ]
    assert irv.rounds[1].tie == TieBreak((B, C), "previous_rounds", C)
    assert irv.rounds[1].newly_exhausted == 4
    assert irv.rounds[2].exhausted == 4
    assert irv.winner == A
    assert irv.majority  # 5 of the 9 continuing ballots
    assert irv.ties


def test_tie_rule_goes_back_round_by_round():
    # Round 3: X and Y tie at 4, as in round 2; in round 1 X had 3, Y had 4.
    X, Y, W, Z = B, C, D, E
    p = profile([A, X, Y, W, Z], (5, (A,)), (3, (X,)), (4, (Y,)), (2, (W,)), (1, (Z, X)))
    irv = instant_runoff(p)
    assert [r.eliminated for r in irv.rounds] == [(Z,), (W,), (X,), ()]
    assert irv.rounds[2].counts == {A: 5, X: 4, Y: 4}
    assert irv.rounds[2].tie == TieBreak((X, Y), "previous_rounds", X)
    assert irv.winner == A


def test_tie_rule_looks_at_the_latest_round_first():
    # Round 3: X and Y tie at 6. Round 2 had X 5, Y 6 (X goes); round 1 had X 5, Y 4 and
    # would have sent Y. Eliminating X passes its ballots to Y, who wins.
    X, Y, P, Q = B, C, D, E
    p = profile(
        [A, X, Y, P, Q],
        (7, (A,)),
        (5, (X, Y)),
        (4, (Y,)),
        (1, (P, X)),
        (2, (P,)),
        (2, (Q, Y)),
    )
    irv = instant_runoff(p)
    assert [dict(r.counts) for r in irv.rounds] == [
        {A: 7, X: 5, Y: 4, P: 3, Q: 2},
        {A: 7, X: 5, Y: 6, P: 3},
        {A: 7, X: 6, Y: 6},
        {A: 7, Y: 11},
    ]
    assert irv.rounds[2].tie == TieBreak((X, Y), "previous_rounds", X)
    assert irv.rounds[2].transfers == {A: 0, Y: 5}
    assert irv.rounds[3].exhausted == 3
    assert irv.winner == Y
    assert irv.majority


def test_tie_rule_borda_when_no_previous_round_separates():
    # Round 1: A and B tie at 1. Borda (4 options): A 8, B 7.5, so B goes.
    p = profile([A, B, C, D], (2, (D,)), (2, (C,)), (1, (A, C)), (1, (B,)))
    assert borda(p).points == {A: 8.0, B: 7.5, C: 11.0, D: 9.5}
    irv = instant_runoff(p)
    assert irv.rounds[0].tie == TieBreak((A, B), "borda", B)
    assert irv.rounds[0].newly_exhausted == 1
    assert irv.rounds[1].counts == {A: 1, C: 2, D: 2}
    assert irv.rounds[1].tie is None
    assert irv.rounds[1].transfers == {C: 1, D: 0}
    assert irv.rounds[2].counts == {C: 3, D: 2}
    assert irv.winner == C
    assert irv.ties


def test_tie_rule_ballot_order_last_resort():
    # A and B tie in round 1 and have equal Borda points: the one placed later goes.
    ballots = [(1, (A,)), (1, (B,)), (2, (C,))]
    irv = instant_runoff(profile([A, B, C], *ballots))
    assert irv.rounds[0].tie == TieBreak((A, B), "ballot_order", B)
    assert irv.winner == C
    swapped = instant_runoff(profile([B, A, C], *ballots))
    assert swapped.rounds[0].tie == TieBreak((B, A), "ballot_order", A)


def test_the_last_one_standing_after_a_tie_wins_without_majority():
    irv = instant_runoff(profile([A, B], (1, (A,)), (1, (B,))))
    assert irv.rounds[0].tie == TieBreak((A, B), "ballot_order", B)
    assert irv.rounds[1] == IRVRound(2, {A: 1}, 1, (), {}, None)
    assert irv.winner == A
    assert not irv.majority


# Edge cases


def test_no_ballots_names_no_winner_anywhere():
    result = tally_ranking(profile([A, B, C]))
    assert result.ballots == 0
    assert result.first.counts == {A: 0, B: 0, C: 0}
    assert result.first.shares == {A: 0.0, B: 0.0, C: 0.0}
    assert result.first.leaders == ()
    assert result.borda.points == {A: 0.0, B: 0.0, C: 0.0}
    assert result.borda.winners == ()
    assert set(result.pairwise.matrix.values()) == {0}
    assert result.pairwise.condorcet_winner is None
    assert result.pairwise.condorcet_loser is None
    assert result.schulze.winners == ()
    assert result.schulze.order == ()
    assert result.irv.rounds == ()
    assert result.irv.winner is None
    assert not result.irv.ties


def test_a_single_ballot_decides_every_method():
    result = tally_ranking(profile([A, B, C], (1, (B, A))))
    assert result.first.leaders == (B,)
    assert result.first.shares == {A: 0.0, B: 1.0, C: 0.0}
    assert result.borda.points == {A: 1.0, B: 2.0, C: 0.0}
    assert result.pairwise.condorcet_winner == B
    assert result.pairwise.condorcet_loser == C
    assert result.schulze.order == ((B,), (A,), (C,))
    assert result.irv.winner == B
    assert result.irv.majority
    assert len(result.irv.rounds) == 1


def test_ballots_all_truncated_to_one_choice():
    result = tally_ranking(profile([A, B, C], (4, (A,)), (3, (B,)), (2, (C,))))
    assert result.first.counts == {A: 4, B: 3, C: 2}
    # n - 1 = 2 points for the one choice, the other two share 1 + 0.
    assert result.borda.points == {A: 10.5, B: 9.0, C: 7.5}
    assert result.pairwise.matrix[A, B] == 4
    assert result.pairwise.matrix[B, A] == 3
    assert result.pairwise.condorcet_winner == A
    assert result.schulze.order == ((A,), (B,), (C,))
    assert result.irv.winner == A


def test_a_question_with_one_option():
    result = tally_ranking(profile([A], (2, (A,))))
    assert result.first.leaders == (A,)
    assert result.borda.points == {A: 0.0}
    assert result.borda.winners == (A,)
    assert result.pairwise.matrix == {}
    assert result.pairwise.condorcet_winner is None
    assert result.schulze.winners == (A,)
    assert result.irv.winner == A
    assert not result.irv.majority  # unopposed


def test_the_methods_share_one_pairwise_count():
    result = tally_ranking(CYCLE)
    assert result.pairwise == pairwise(CYCLE)
    assert result.borda == borda(CYCLE)
    assert result.schulze == schulze(CYCLE)
    assert result.irv == instant_runoff(CYCLE)
    assert result.first == first_preferences(CYCLE)
