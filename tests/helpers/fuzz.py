"""Hypothesis strategies and checks for fuzzing the importers (tests/sources/test_fuzz_*.py).

Inputs are random bytes, or real documents (the recorded fixtures and sample files) broken the way real
files break: cut short, bytes deleted or duplicated, junk spliced in, and — for JSON and XML, parsed and
written back — fields dropped, replaced by other types, emptied, made huge or filled with Unicode junk.

``time_limit`` stops a parse that hangs (Hypothesis's ``deadline`` only reports a slow example once it
ends). ``PAPERFEED_FUZZ_EXAMPLES`` raises the example count for a longer search (``bench/fuzz.py``).
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import re
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from xml.etree import ElementTree as ET

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from paperfeed.records import PaperRecord, checked


def fuzz_settings(examples: int) -> settings:
    """Bounded, reproducible runs: ``examples`` per test (or ``PAPERFEED_FUZZ_EXAMPLES``), same each run."""
    return settings(
        max_examples=int(os.environ.get("PAPERFEED_FUZZ_EXAMPLES", examples)),
        derandomize=True,
        database=None,
        deadline=timedelta(seconds=2),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


class Hang(BaseException):  # noqa: N818 - a BaseException, so no parser's ``except Exception`` swallows it
    """An example ran past ``time_limit``."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def stop(signum, frame):
        raise Hang(f"still parsing after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def assert_complete(record: PaperRecord, source: str) -> None:
    """A yielded record is whole: the record type's own check (``records.checked``) finds nothing to clean
    or refuse, and it names its source."""
    assert isinstance(record, PaperRecord), type(record)
    assert isinstance(record.title, str) and record.title.strip(), record
    assert record.source == source, (record.source, source)
    assert checked(record) == record, record
    assert isinstance(record.id, str) and record.id


# --- junk ------------------------------------------------------------------------------------------------

# dates as sources write them, with every part allowed out of range (year 0, hour 99, offset -23:59, ...)
YEARS = st.one_of(st.sampled_from([0, 1, 1970, 2024, 9999, 10_000]), st.integers(0, 99_999))
DATES = st.one_of(
    st.builds(
        "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}{}".format,
        YEARS, st.integers(0, 13), st.integers(0, 32), st.integers(0, 25), st.integers(0, 61),
        st.integers(0, 61), st.sampled_from(["", "Z", "+00:00", "-23:59", "+23:59", "+24:00", ".000Z"]),
    ),
    st.builds(
        "{}, {} {} {} {:02d}:{:02d}:{:02d} {}".format,
        st.sampled_from(["Mon", "Fri", "Xyz"]), st.integers(0, 10**20), st.sampled_from(["Apr", "Dec", "Foo"]),
        st.integers(0, 10**20), st.integers(0, 10**20), st.integers(0, 99), st.integers(0, 99),
        st.sampled_from(["GMT", "+0000", "-2359", "+9999", "-" + "9" * 20]),
    ),
    st.builds("{:04d}-{:02d}".format, YEARS, st.integers(0, 99)),
)  # fmt: skip
JUNK_TEXT = st.one_of(
    st.text(max_size=40),
    DATES,
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "\ufeff",
            "\ud7ff\ue000",
            "\U0010ffff",
            "é\u0301",
            "\u202e",
            "\r\n",
            "\t",
            "null",
            "{",
            "}",
            "{{",
            "}}",
            "[",
            "]",
            '"',
            "\\",
            "\\'",
            "@",
            "@article{",
            ",",
            "=",
            "&",
            "&amp;",
            "&#0;",
            "&#xD800;",
            "<",
            "<![CDATA[",
            "]]>",
            "<!--",
            "<!DOCTYPE x [<!ENTITY e 'x'>]>",
            "&e;",
            "%",
            "#",
            "0",
            "-1",
            "1e309",
            "9" * 40,
            "NaN",
            "true",
            "2024-13-45",
            "2024-02-30T25:61:00Z",
            "Mon, 32 Foo",
            "1706.03762",
            "arXiv:1706.03762v99",
            "hep-th/9901001",
            "10.48550/arXiv.1706.03762",
            "cs.LG",
            "http://",
            "https://arxiv.org/abs/",
            "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
            "中文标题",
            "Ωmega ∑ \\frac{a}{b} $x^2$",
        ]
    ),  # fmt: skip
    st.builds(lambda s, n: s * n, st.sampled_from(["a", "{", " and ", "é", "x" * 1000]), st.integers(1, 120)),
)
JUNK_BYTES = st.one_of(
    st.binary(max_size=40),
    JUNK_TEXT.map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.sampled_from([b"\xff\xfe", b"\xef\xbb\xbf", b"\xc3", b"\xed\xa0\x80", b"\x1f\x8b", b"\r", b"\n\n"]),
)


@st.composite
def mutated(draw, doc: bytes, max_edits: int = 3) -> bytes:
    """``doc`` with a few byte-level edits: cut, delete, splice junk in, replace, duplicate."""
    out = doc
    for _ in range(draw(st.integers(1, max_edits))):
        n = len(out)
        i = draw(st.integers(0, n))
        j = draw(st.integers(i, min(n, i + 200)))
        kind = draw(st.sampled_from(["cut", "delete", "insert", "replace", "duplicate"]))
        if kind == "cut":
            out = out[:i]
        elif kind == "delete":
            out = out[:i] + out[j:]
        elif kind == "insert":
            out = out[:i] + draw(JUNK_BYTES) + out[i:]
        elif kind == "replace":
            out = out[:i] + draw(JUNK_BYTES) + out[j:]
        else:
            out = out[:j] + out[i:j] + out[j:]
    return out


def broken(doc: bytes, structured: Callable[[bytes], st.SearchStrategy[bytes]] | None = None) -> st.SearchStrategy:
    """Random bytes, ``doc`` as it is, ``doc`` edited byte-wise, or (if given) ``structured(doc)``."""
    options = [st.binary(max_size=300), st.just(doc), mutated(doc)]
    if structured is not None:
        options += [structured(doc), structured(doc).flatmap(mutated)]
    return st.one_of(options)


# --- JSON -----------------------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | JUNK_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(JUNK_TEXT, inner, max_size=3),
    max_leaves=6,
)


def _paths(obj, prefix=()) -> list[tuple]:
    out = [prefix]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _paths(v, (*prefix, i))
    return out


_DATE_NAME = re.compile(r"date|published|updated|created|submittedon|pubdate|^day$|^year$", re.IGNORECASE)


@st.composite
def json_edited(draw, obj) -> object:
    """A deep copy of ``obj`` with a few values dropped or replaced (other types, empty, huge, junk); a date
    field often gets an out-of-range date."""
    obj = copy.deepcopy(obj)
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(obj)
        dated = [p for p in paths if p and isinstance(p[-1], str) and _DATE_NAME.search(p[-1])]
        if dated and draw(st.booleans()):
            path = draw(st.sampled_from(dated))
            parent = obj
            for key in path[:-1]:
                parent = parent[key]
            parent[path[-1]] = draw(DATES)
            continue
        path = draw(st.sampled_from(paths))
        if not path:
            obj = draw(JSON_VALUES)
            continue
        parent = obj
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        action = draw(st.sampled_from(["drop", "replace", "huge", "empty"]))
        if action == "drop":
            del parent[key]
        elif action == "replace":
            parent[key] = draw(JSON_VALUES)
        elif action == "huge":
            parent[key] = draw(st.sampled_from(["x" * 60_000, "word " * 12_000, ["a"] * 6_000, 10**40]))
        else:
            parent[key] = draw(st.sampled_from(["", [], {}, None, 0]))
    return obj


def json_structured(doc: bytes) -> st.SearchStrategy[bytes]:
    return json_edited(json.loads(doc)).map(lambda o: json.dumps(o).encode())


def jsonl_structured(doc: bytes) -> st.SearchStrategy[bytes]:
    lines = [json.loads(line) for line in doc.splitlines() if line.strip()]
    return json_edited(lines).map(
        lambda objs: b"\n".join(json.dumps(o).encode() for o in (objs if isinstance(objs, list) else [objs]))
    )


# --- XML ------------------------------------------------------------------------------------------------

NAMESPACES = {
    "atom": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
    "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
    "oai": "http://www.openarchives.org/OAI/2.0/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "z": "http://www.zotero.org/namespaces/export#",
    "dcterms": "http://purl.org/dc/terms/",
    "bib": "http://purl.org/net/biblio#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "prism": "http://prismstandard.org/namespaces/1.2/basic/",
}
for _prefix, _uri in NAMESPACES.items():
    ET.register_namespace(_prefix, _uri)

XML_TEXT = JUNK_TEXT.map(lambda s: "".join(c for c in s if c in "\t\n\r" or " " <= c <= "\ud7ff" or c >= "\ue000"))


@st.composite
def xml_edited(draw, doc: bytes) -> bytes:
    """``doc`` parsed and written back with a few elements dropped, duplicated or given junk text or
    attributes (the text stays well-formed XML: the byte-level edits break that)."""
    root = ET.fromstring(doc)
    for _ in range(draw(st.integers(1, 4))):
        elements = list(root.iter())
        dated = [e for e in elements if _DATE_NAME.search(e.tag.rsplit("}", 1)[-1])]
        if dated and draw(st.booleans()):
            draw(st.sampled_from(dated)).text = draw(DATES)
            continue
        el = draw(st.sampled_from(elements))
        action = draw(st.sampled_from(["drop", "duplicate", "text", "huge", "attribute"]))
        parents = {c: p for p in elements for c in p}
        if action in ("drop", "duplicate") and el in parents:
            parent = parents[el]
            if action == "drop":
                parent.remove(el)
            else:
                parent.insert(list(parent).index(el), copy.deepcopy(el))
        elif action == "text":
            el.text = draw(XML_TEXT)
        elif action == "huge":
            el.text = draw(st.sampled_from(["x" * 60_000, "word " * 12_000]))
        elif el.attrib:
            name = draw(st.sampled_from(sorted(el.attrib)))
            if draw(st.booleans()):
                del el.attrib[name]
            else:
                el.attrib[name] = draw(XML_TEXT)
    return ET.tostring(root, encoding="utf-8")


# --- CSV and BibTeX -------------------------------------------------------------------------------------


@st.composite
def csv_edited(draw, doc: bytes) -> bytes:
    """``doc`` read as CSV and written back with a few cells replaced by junk, dropped or added."""
    rows = list(csv.reader(io.StringIO(doc.decode("utf-8"), newline="")))
    for _ in range(draw(st.integers(1, 4))):
        row = draw(st.sampled_from(rows))
        action = draw(st.sampled_from(["cell", "date", "drop", "add", "row"]))
        i = draw(st.integers(0, max(len(row) - 1, 0)))
        if action in ("cell", "date") and row:
            row[i] = draw(DATES if action == "date" else JUNK_TEXT)
        elif action == "drop" and row:
            del row[i]
        elif action == "add":
            row.insert(i, draw(JUNK_TEXT))
        else:
            rows.insert(draw(st.integers(0, len(rows))), list(row))
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8", "surrogatepass")


_BIB_VALUE = re.compile(rb"(=\s*)(\{[^{}\n]*\}|\"[^\"\n]*\"|\d+)")


@st.composite
def bibtex_edited(draw, doc: bytes) -> bytes:
    """``doc`` with a few field values (``= {...}``, ``= "..."``, ``= 2017``) replaced: junk, a date, a
    year out of range, unbalanced braces."""
    out = doc
    for _ in range(draw(st.integers(1, 4))):
        spans = [m.span(2) for m in _BIB_VALUE.finditer(out)]
        if not spans:
            break
        start, end = draw(st.sampled_from(spans))
        value = draw(st.one_of(JUNK_TEXT, DATES, st.integers(-10, 10**6).map(str)))
        shape = draw(st.sampled_from(["{%s}", '"%s"', "%s", "{%s", "{{%s}"]))
        out = out[:start] + (shape % value).encode("utf-8", "surrogatepass") + out[end:]
    return out
