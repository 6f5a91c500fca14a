"""Property: whatever a user types, the CLI answers with a result or one clear error line.

Hypothesis drives the app object with arbitrary text where a user types: a search
query, an alert's name and query, a feed URL, --since/--until, --limit, and a
config file of arbitrary bytes. Every run must exit 0 or 2, print at most one
`error:` line (plus a `hint:` line) and never let an exception escape.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.cli.conftest import InProcessCli

# Text as argv delivers it: any Unicode, or bytes that are not UTF-8 decoded the way
# Python decodes the command line (surrogateescape).
argv_text = st.one_of(
    st.text(max_size=60),
    st.binary(max_size=30).map(lambda b: b.decode("utf-8", "surrogateescape")),
)
query_text = st.one_of(
    argv_text,
    st.lists(
        st.sampled_from(
            ["gaza", "NOT", "-", "AND", "OR", "(", ")", '"a b"~', "x*", "title:", "person:", "9"]
        ),
        max_size=40,
    ).map(" ".join),
)
url_text = st.one_of(
    argv_text,
    st.tuples(
        st.sampled_from(["http://", "https://", "HTTP://", "file://", "ftp://", "//", ""]),
        st.one_of(argv_text, st.sampled_from(["[", "[::1", "[::1]:x", "a:99999", "a.example/"])),
        argv_text,
    ).map("".join),
)
number_text = st.one_of(
    st.integers().map(str),
    st.integers(min_value=10**15).map(str),
    argv_text,
)
when_text = st.one_of(
    st.tuples(number_text, st.sampled_from(["m", "h", "d", "w", "D", ""])).map("".join),
    st.datetimes().map(lambda d: d.isoformat()),
    st.tuples(st.datetimes(), st.sampled_from(["Z", "+23:59", "-23:59"])).map(
        lambda t: t[0].isoformat() + t[1]
    ),
    argv_text,
)


def _options(*pairs: tuple[str, st.SearchStrategy[str]]) -> st.SearchStrategy[list[str]]:
    """Any subset of the options, each with a generated value."""
    return st.lists(
        st.sampled_from(pairs).flatmap(lambda p: p[1].map(lambda v: [p[0], v])),
        max_size=len(pairs),
    ).map(lambda groups: [a for g in groups for a in g])


commands = st.one_of(
    st.tuples(
        query_text,
        _options(("--since", when_text), ("--until", when_text), ("--limit", number_text)),
    ).map(lambda t: ["search", *t[1], "--", t[0]]),
    st.tuples(argv_text, query_text).map(lambda t: ["alerts", "add", "--", t[0], t[1]]),
    st.tuples(argv_text, query_text, url_text).map(
        lambda t: ["alerts", "add", "--webhook", t[2], "--", t[0], t[1]]
    ),
    url_text.map(lambda url: ["feeds", "add", "--", url]),
    st.tuples(url_text, argv_text).map(lambda t: ["feeds", "add", "--title", t[1], "--", t[0]]),
    _options(("--since", when_text), ("--limit", number_text), ("--min-size", number_text)).map(
        lambda opts: ["stories", *opts]
    ),
    _options(("--limit", number_text), ("--rule", argv_text)).map(
        lambda opts: ["alerts", "hits", *opts]
    ),
    argv_text.map(lambda name: ["alerts", "rm", "--", name]),
    argv_text.map(lambda ref: ["feeds", "rm", "--", ref]),
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(args=commands)
def test_any_arguments_give_a_result_or_one_clear_error(
    wirewatch: InProcessCli, args: list[str]
) -> None:
    wirewatch(*args).assert_clean()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    content=st.one_of(
        st.binary(max_size=200),
        st.text(max_size=200).map(str.encode),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=20),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(
                    st.sampled_from(["data_dir", "fetch", "allow_private", "feeds", "alerts", "x"]),
                    inner,
                    max_size=3,
                )
            ),
            max_leaves=8,
        ).map(lambda v: repr(v).encode()),
    )
)
def test_any_config_file_gives_a_result_or_one_clear_error(
    wirewatch: InProcessCli, content: bytes
) -> None:
    config = wirewatch.home / "arbitrary.yaml"
    config.write_bytes(content)
    wirewatch("config", "show", "--json", "--config", str(config)).assert_clean()
