"""The query parser: every construct, the canonical form, every refusal with its column."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wirewatch.core.errors import QueryError
from wirewatch.core.query import And, Not, Or, Phrase, Term, parse_query
from wirewatch.core.query.parser import MAX_DEPTH, MAX_PROXIMITY, MAX_QUERY_LENGTH


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("gaza", "gaza"),
        ("gaza rafah", "gaza AND rafah"),
        ("gaza AND rafah", "gaza AND rafah"),
        ("gaza && rafah", "gaza AND rafah"),
        ("a OR b c", "a OR b AND c"),
        ("(a OR b) c", "(a OR b) AND c"),
        ("gaza -iraq", "gaza AND NOT iraq"),
        ("gaza NOT iraq", "gaza AND NOT iraq"),
        ('"cease fire"', '"cease fire"'),
        ('"cease fire"~5', '"cease fire"~5'),
        ("econom*", "econom*"),
        ("cease-fire", "cease-fire"),
        ("title:(gaza OR rafah)", "title:gaza OR title:rafah"),
        ('person:"yoav gallant" org:hamas', 'person:"yoav gallant" AND org:hamas'),
        (
            "source:bbc.co.uk lang:en topic:politics story:abc",
            "source:bbc.co.uk AND lang:en AND topic:politics AND story:abc",
        ),
        ("TITLE:x", "title:x"),
        ("gaza and rafah", "gaza AND and AND rafah"),
        ("x (a OR -b)", "x AND (a OR NOT b)"),
    ],
)
def test_canonical_form_round_trips(text: str, canonical: str) -> None:
    q = parse_query(text)
    assert q.to_text() == canonical
    assert parse_query(q.to_text()).root == q.root


def test_tree_shape_and_precedence() -> None:
    q = parse_query('a OR b -c "d e"~3 title:f*')
    assert q.root == Or(
        (
            Term("a"),
            And(
                (Term("b"), Not(Term("c")), Phrase("d e", None, 3), Term("f", "title", prefix=True))
            ),
        )
    )


@pytest.mark.parametrize(
    ("text", "column", "needle"),
    [
        ("NOT iraq", 1, "only negative"),
        ("-iraq", 1, "only negative"),
        ("-a -b", 1, "only negative"),
        ("gaza OR NOT iraq", 9, "only negative"),
        ("*mail", 1, "leading wildcard"),
        ("gaza *", 6, "bare *"),
        ("gaza~", 1, "fuzzy"),
        ("gaza~2", 1, "fuzzy"),
        ("ga*za", 1, "wildcard may only end"),
        ("foo:bar", 1, "unknown field 'foo:'"),
        ("titel:x", 1, "unknown field"),
        ("gaza AND", 9, "after AND"),
        ("gaza OR", 8, "after OR"),
        ("(gaza", 1, "expected ')'"),
        ("gaza)", 5, "unexpected ')'"),
        ("", 1, "empty query"),
        ("   ", 1, "empty query"),
        ('"unclosed', 1, "unclosed quote"),
        ('""', 1, "empty phrase"),
        ('"a b"~', 6, "expected a number"),
        ('person:"a b"~2', 8, "proximity"),
        ('"gaza"~2', 1, "at least two words"),
        ("()", 1, "empty parentheses"),
        ("title:", 7, "after 'title:'"),
    ],
)
def test_refusals_name_the_column(text: str, column: int, needle: str) -> None:
    with pytest.raises(QueryError) as e:
        parse_query(text)
    assert e.value.column == column, str(e.value)
    assert needle in str(e.value)
    assert str(e.value).startswith(f"column {column}:")


def test_unknown_field_suggests_the_closest() -> None:
    with pytest.raises(QueryError) as e:
        parse_query("persn:gallant")
    assert e.value.hint == "did you mean 'person:'?"


def test_overlong_query_is_refused() -> None:
    with pytest.raises(QueryError, match="limit"):
        parse_query("a " * 3000)


# --- hostile queries: a QueryError naming the limit, never another exception ---------------


def test_a_long_chain_of_nots_is_refused_with_the_limit_not_a_recursion_error() -> None:
    """The hostile run's 3,983-character `b NOT NOT … a` (RecursionError before)."""
    text = "b " + "NOT " * 990 + "a"
    assert len(text) < MAX_QUERY_LENGTH
    with pytest.raises(QueryError) as e:
        parse_query(text)
    assert f"nested more than {MAX_DEPTH} levels deep" in e.value.reason
    assert e.value.column == 3 + 4 * MAX_DEPTH  # the first NOT past the limit


def test_nots_and_parentheses_count_together_towards_the_depth_limit() -> None:
    half = MAX_DEPTH // 2
    assert parse_query("b " + "(NOT " * half + "a" + ")" * half).to_text().count("NOT") == half
    with pytest.raises(QueryError, match=f"more than {MAX_DEPTH} levels"):
        parse_query("b " + "(NOT " * half + "(a)" + ")" * half)


@pytest.mark.parametrize(
    "text",
    ["b " + "NOT " * MAX_DEPTH + "a", "(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH],
)
def test_nesting_up_to_the_limit_parses(text: str) -> None:
    assert parse_query(text).root is not None


def test_negations_wrap_in_order() -> None:
    assert parse_query("b NOT -a").root == And((Term("b"), Not(Not(Term("a")))))


def test_proximity_is_bounded() -> None:
    assert parse_query(f'"a b"~{MAX_PROXIMITY}').root == Phrase("a b", None, MAX_PROXIMITY)
    with pytest.raises(QueryError) as e:
        parse_query(f'"a b"~{MAX_PROXIMITY + 1}')
    assert e.value.reason == f"proximity ~{MAX_PROXIMITY + 1} is too large; the limit is 1000 words"


def test_a_non_ascii_digit_after_tilde_is_not_a_number() -> None:
    with pytest.raises(QueryError, match="expected a number after ~"):
        parse_query('"a b"~²')  # '²'.isdigit() is True, int('²') raises ValueError


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.text(max_size=200),
        st.lists(
            st.sampled_from(
                ["a", "b", "NOT", "-", "AND", "OR", "(", ")", '"', "~", "*", "title:", "x:", "~9"]
            ),
            max_size=80,
        ).map(" ".join),
    )
)
def test_any_text_parses_or_is_refused_with_one_line(text: str) -> None:
    """Arbitrary text gives a Query or a QueryError with a one-line message, nothing else."""
    try:
        q = parse_query(text)
    except QueryError as e:
        assert 1 <= e.column <= len(text) + 1 or e.column == MAX_QUERY_LENGTH + 1
        assert "\n" not in e.reason
        return
    assert q.source == text
