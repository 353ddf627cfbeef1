"""Zotero RDF ("Zotero RDF" export): an ``rdf:RDF`` document, one element per item, parsed with defusedxml.

An item is a top-level element with a ``z:itemType`` other than attachment or note. Its title is its own
``dc:title`` (not its journal's); ``dc:identifier`` holds ``DOI 10...`` or a URL; arXiv ids also come from
``rdf:about``, ``dc:description`` (``arXiv:1706.03762 [cs]``) and ``prism:number``. A document that is
not well-formed XML is refused with its line; DTDs and entities are refused (no entity expansion attacks).
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from .entry import BadEntry, LibraryEntry, LibraryFileError, make_entry

NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "z": "http://www.zotero.org/namespaces/export#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "bib": "http://purl.org/net/biblio#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "prism": "http://prismstandard.org/namespaces/1.2/basic/",
}
_ABOUT = f"{{{NS['rdf']}}}about"
_NOT_ITEMS = {"attachment", "note"}


class _LineBuilder(TreeBuilder):
    """A tree builder that remembers the line each element starts on."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Element, int] = {}
        self.parser: DefusedXMLParser | None = None

    def start(self, tag, attrs):  # noqa: ANN001, ANN201
        elem = super().start(tag, attrs)
        self.lines[elem] = self.parser.parser.CurrentLineNumber
        return elem


def _parse(text: str, name: str) -> tuple[Element, dict[Element, int]]:
    builder = _LineBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.parser = parser
    try:
        parser.feed(text)
        root = parser.close()
    except ParseError as exc:
        line, col = exc.position
        raise LibraryFileError(f"{name}: not well-formed XML at line {line}, column {col + 1}") from None
    except DefusedXmlException:
        raise LibraryFileError(f"{name}: XML with a DTD or entities is refused (Zotero RDF has none)") from None
    return root, builder.lines


def _text(elem: Element | None) -> str:
    return " ".join("".join(elem.itertext()).split()) if elem is not None else ""


def _authors(item: Element) -> list[str]:
    out = []
    for person in item.iterfind("bib:authors//foaf:Person", NS):
        given, surname = _text(person.find("foaf:givenName", NS)), _text(person.find("foaf:surname", NS))
        out.append(f"{given} {surname}".strip() or _text(person.find("foaf:name", NS)))
    return out


def read_rdf(text: str, name: str) -> Iterator[LibraryEntry | BadEntry]:
    root, lines = _parse(text, name)
    if root.tag != f"{{{NS['rdf']}}}RDF":
        raise LibraryFileError(f"{name}: XML but not an RDF document (Zotero RDF starts with <rdf:RDF>)")
    for item in root:
        kind = _text(item.find("z:itemType", NS))
        if not kind or kind in _NOT_ITEMS:
            continue
        line = lines.get(item, 0)
        ids = [_text(e) for e in item.findall("dc:identifier", NS)]
        doi = next((i[4:] for i in ids if i.upper().startswith("DOI ")), None)
        doi = doi or next((i for i in ids if "doi.org/" in i), None)
        texts = [item.get(_ABOUT), *ids, *(_text(e) for e in item.findall("dc:description", NS))]
        texts.append(_text(item.find("prism:number", NS)))
        yield make_entry(
            item.get(_ABOUT),
            line,
            title=_text(item.find("dc:title", NS)),
            arxiv=tuple(texts),
            doi=doi,
            year=_text(item.find("dc:date", NS)),
            authors=_authors(item),
        )
