"""Property-based tests: hostile listings and query parameters never crash, never lose data.

Hypothesis generates random and hostile input; every case must end in a clear message (a
problem with a path, line and words) or a normal answer, never an exception, and a bad file
must never take a good listing out of the directory.
"""

from __future__ import annotations

import string
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from directory.load import load_bytes
from directory.validation import check_loaded, validate_paths
from search.request import parse_request

FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# YAML-ish building blocks, so generated files get past the parser often enough to reach
# the validator's rules, as well as plain random bytes that never do.
YAML_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=60),
    st.sampled_from(["09:00", "9am", "31/02/2026", "2026-11-01", "CT9 1EP", "mon", "free"]),
)
FIELDS = st.sampled_from(
    ["name", "organisation", "description", "status", "needs", "access", "cost", "contact",
     "locations", "schedule", "who_for", "last_reviewed", "reviewed_by", "delivery", "national",
     "languages", "nonsense", "Name", "needs "]
)  # fmt: skip
YAML_VALUES = st.recursive(
    YAML_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(FIELDS, inner, max_size=5),
    max_leaves=25,
)
LISTING_DOCS = st.dictionaries(FIELDS, YAML_VALUES, max_size=12)

HOSTILE = [
    b"",
    b"\x00\x01\x02\xff\xfe binary",
    b"\xef\xbb\xbfname: BOM first\n",
    b"name: [unclosed\n",
    b"name: 'open quote\n",
    b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
    b"x: " + b"[" * 500 + b"]" * 500 + b"\n",
    b"- just\n- a\n- list\n",
    b"name:\tTabbed\n",
    b"!!python/object/apply:os.system ['echo pwned']\n",
    b"name: !!binary aGVsbG8=\n",
    ("name: " + "x" * 300_000 + "\n").encode(),
    "name: \u202eevil\u202c\u0000\n".encode(),
    b"needs: {loneliness: yes}\n",
    b"%YAML 9.9\n---\nname: x\n",
    b"---\nname: a\n---\nname: b\n",
]


def check_bytes(content: bytes, vocab) -> list:
    loaded = load_bytes(content, "fuzz/case.yaml")
    listing, problems = check_loaded(
        loaded, vocab, listing_id="case", area="fuzz", source="fuzz/case.yaml"
    )
    assert listing is not None or problems, "a rejected file must say why"
    for problem in problems:
        assert problem.path == "fuzz/case.yaml"
        assert problem.line >= 1
        assert problem.column >= 1
        assert problem.message.strip()
    return problems


@pytest.mark.parametrize("content", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_files_get_a_clear_message(content, vocab):
    assert check_bytes(content, vocab)


@FUZZ
@given(content=st.binary(max_size=2000))
def test_random_bytes_never_crash_the_loader(content, vocab):
    check_bytes(content, vocab)


@FUZZ
@given(doc=LISTING_DOCS)
@example(doc={"name": None, "needs": [[[]]], "schedule": {"mon": 9}})
def test_random_listing_shapes_get_messages_not_exceptions(doc, vocab):
    content = yaml.safe_dump(doc, allow_unicode=True).encode("utf-8")
    check_bytes(content, vocab)


@settings(FUZZ, max_examples=40)
@given(doc=LISTING_DOCS, template_field=st.sampled_from(["name", "needs", "cost", "schedule"]))
def test_a_broken_file_never_loses_the_good_one(
    doc, template_field, data_dir: Path, vocab, template_text
):
    good = yaml.safe_load(template_text)
    broken = dict(good)
    broken[template_field] = doc.get(template_field, {"unexpected": [1, 2]})
    broken.update({key: value for key, value in doc.items() if key != "name"})
    folder = data_dir / "services" / "thanet"
    (folder / "zz-fuzzed.yaml").write_text(
        yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8"
    )
    report = validate_paths([data_dir / "services"], vocab)
    assert "margate-mens-shed" in [listing.id for listing in report.listings]


INVISIBLE = st.sampled_from(["\x00", "\x07", "\x1b", "\x7f", "\x85", "\u200b", "\u202e", "\u2066"])


@settings(FUZZ, max_examples=60)
@given(char=INVISIBLE, where=st.integers(min_value=0, max_value=10**6))
def test_an_invisible_character_anywhere_is_found_where_it_is(char, where, vocab, template_text):
    position = where % (len(template_text) + 1)
    text = template_text[:position] + char + template_text[position:]
    problems = check_bytes(text.encode("utf-8"), vocab)
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    assert [(p.line, p.column) for p in problems] == [(line, column)]
    assert "invisible control character" in problems[0].message


NESTING = st.text(alphabet="[]{}-?:, \nab'\"#", max_size=400)


@FUZZ
@given(text=NESTING, depth=st.integers(min_value=0, max_value=3000))
def test_nesting_of_any_shape_gets_an_answer(text, depth, vocab):
    check_bytes((text + "[" * depth + "]" * depth).encode("utf-8"), vocab)


@FUZZ
@given(value=st.text(max_size=80))
def test_no_value_can_start_a_line_of_its_own_in_output(value, vocab, template_text):
    quoted = '"' + value.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'
    content = template_text.replace("status: active", f"status: {quoted}").encode("utf-8")
    for problem in check_bytes(content, vocab):
        lines = str(problem).split("\n")
        assert lines[0].startswith("fuzz/case.yaml:")
        assert all(line.startswith("    ") for line in lines[1:])
        assert "\r" not in str(problem)
        assert "\n" not in problem.github()


PARAM_NAMES = st.sampled_from(
    ["q", "near", "radius", "free", "step_free", "day", "open_now", "age", "access",
     "delivery", "need", "local_only", "page", "per_page", "junk", ""]
)  # fmt: skip
PARAM_VALUES = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=string.digits + ".-e", max_size=12),
    st.sampled_from(["true", "false", "1", "0", "tue", "Tuesday", "nan", "inf", "-1", "1e309"]),
    # Long pasted text, built cheaply (generating 10,000 random characters is slow).
    st.builds(
        lambda chunk, times: chunk * times,
        st.sampled_from(["a* ", '"(', "lonely "]),
        st.integers(min_value=700, max_value=3000),
    ),
)
PARAMS = st.dictionaries(PARAM_NAMES, st.lists(PARAM_VALUES, min_size=1, max_size=3), max_size=8)


@FUZZ
@given(params=PARAMS)
def test_any_query_parameters_parse_or_name_the_problem(params):
    parsed = parse_request(params, ("loneliness", "diabetes"))
    for error in parsed.errors:
        assert error.param in params
        assert error.param in error.message
    if not parsed.errors:
        request = parsed.request
        assert 0 < request.radius_miles <= 100
        assert request.page >= 1
        assert 1 <= request.per_page <= 50


@FUZZ
@given(params=PARAMS)
def test_any_query_parameters_search_safely(params, app):
    from search.engine import search

    live = app.extensions["signpost.live"]
    parsed = parse_request(params, tuple(live.vocabulary.needs))
    if parsed.errors:
        return
    response = search(live.snapshot(), parsed.request, live.vocabulary, live.gazetteer)
    assert response.total >= 0
    assert len(response.hits) <= parsed.request.per_page


@settings(FUZZ, max_examples=60)
@given(params=PARAMS)
def test_any_query_parameters_get_a_page_or_a_friendly_400(params, client):
    """The site and the API answer every query string with results or a clear refusal."""
    pairs = [(name, value) for name, values in params.items() for value in values]
    for path in ("/", "/api/v1/services"):
        response = client.get(path, query_string=pairs)
        assert response.status_code in (200, 400), (path, pairs, response.status_code)
        body = response.get_data(as_text=True)
        assert "Traceback" not in body
        if response.status_code == 400 and path.startswith("/api/"):
            assert response.get_json()["error"]["status"] == 400
