"""The load test's check of the tracker store against what users saw."""

from __future__ import annotations

from bench.loadtest import PhaseResult, StoredTurn, Turn, count_lost, total


def _answered(message: str, *replies: str) -> Turn:
    return Turn("s", message, "ok", list(replies), 20.0)


def _failed(message: str) -> Turn:
    return Turn("s", message, "error", [], 20.0)


def _cut_off(message: str) -> Turn:
    return Turn("s", message, "pending", [], None)


def test_a_conversation_stored_exactly_as_seen_loses_nothing() -> None:
    sent = [_answered("hoi", "Hallo!"), _answered("wat is ALS", "ALS is", "Bron")]
    stored = [
        StoredTurn("hoi", ["Hallo!"]),
        StoredTurn("wat is ALS", ["ALS is", "Bron"]),
    ]
    assert count_lost(sent, stored) == 0


def test_a_missing_turn_counts_its_message_and_replies() -> None:
    sent = [_answered("hoi", "Hallo!"), _answered("wat is ALS", "ALS is", "Bron")]
    assert count_lost(sent, [StoredTurn("hoi", ["Hallo!"])]) == 3
    assert count_lost(sent, []) == 5


def test_a_missing_or_different_reply_counts() -> None:
    sent = [_answered("wat is ALS", "ALS is", "Bron")]
    assert count_lost(sent, [StoredTurn("wat is ALS", ["ALS is"])]) == 1
    assert count_lost(sent, [StoredTurn("wat is ALS", ["Iets anders", "Bron"])]) == 1


def test_a_duplicated_turn_or_reply_counts() -> None:
    sent = [_answered("hoi", "Hallo!")]
    twice = [StoredTurn("hoi", ["Hallo!"]), StoredTurn("hoi", ["Hallo!"])]
    assert count_lost(sent, twice) == 2
    assert count_lost(sent, [StoredTurn("hoi", ["Hallo!", "Hallo!"])]) == 1


def test_turns_stored_out_of_order_count() -> None:
    sent = [_answered("een", "1"), _answered("twee", "2")]
    swapped = [StoredTurn("twee", ["2"]), StoredTurn("een", ["1"])]
    assert count_lost(sent, swapped) > 0


def test_a_failed_or_cut_off_turn_may_be_stored_or_not() -> None:
    for unsure in (_failed("wat is ALS"), _cut_off("wat is ALS")):
        sent = [_answered("hoi", "Hallo!"), unsure, _answered("dank u", "Graag")]
        without = [StoredTurn("hoi", ["Hallo!"]), StoredTurn("dank u", ["Graag"])]
        with_it = [without[0], StoredTurn("wat is ALS", ["ALS is"]), without[1]]
        assert count_lost(sent, without) == 0
        assert count_lost(sent, with_it) == 0


def test_the_summary_line_has_the_agreed_format() -> None:
    phase = PhaseResult("steady", 10, 9, 1, 0, 2.0, [10.0, 20.0, 30.0])
    line = total([phase, phase]).line()
    assert line == "turns=20 rps=4.5 p50_ms=20 p95_ms=30 errors=2 lost=0"
