"""One-sentence summaries per paper, like Hugging Face's ``ai_summary`` but made here, without a language
model (docs/summaries.md).

Extractive, then compressed:

1. the abstract is cleaned (HTML tags and entities, LaTeX markup) and split into sentences;
2. each sentence is scored by how close its meaning is to the whole paper: the cosine between the paper's
   stored vector and the mean vector of the paper's candidate keyphrases (``keywords.candidates``) that
   the sentence contains, plus ``CUE_WEIGHT`` when it says what the paper contributes ("we propose", "in
   this paper", "we show"), minus ``ANAPHOR_PENALTY`` when it leans on the sentence before ("If so, ...").
   The phrase vectors are the keyword step's own, taken from the keyphrase extractor's cache, so a
   summary costs no model call when the keywords of the paper were just extracted (the index job does
   both on the same page of papers);
3. the best sentence is compressed: lead-ins ("To address this, ", "In this paper, ", any short clause
   before ", we") and the "we propose X, a Y" frame are dropped ("X is a Y"), "we show that X" becomes
   "X", and an over-long sentence is cut at a colon or semicolon. When what is left is only a name
   (fewer than ``MIN_SUMMARY_WORDS`` words besides a parenthesis: "This work presents Depth Anything
   V2." gives "Depth Anything V2."), the next best sentence is taken instead, if one says more.

A paper with no abstract (or no sentence of two words) gets no summary, stored as ""; a one-sentence
abstract gives that sentence.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import numpy as np

from ..latex import latex_to_text
from .keywords import WORD, KeywordExtractor, candidates

METHOD = "phrase-centrality-2"  # stored with each summary: a new method recomputes them all
CUE_WEIGHT = 0.1  # tuned on half of the HF papers (bench/summaries.py): the other half is the reported test
ANAPHOR_PENALTY = 0.1  # "If so, ...", "This shows ...": readable only after the sentence before
MIN_WORDS = 4  # shorter "sentences" ("Code: ...") are chosen only when nothing else is left
MIN_SUMMARY_WORDS = 6  # a compressed sentence shorter than this (parentheses aside) names, not summarises
TRIM_WORDS = 40  # a longer sentence is cut at its first colon, semicolon or dash (keeping >= 8 words)
MAX_CHARS = 320  # hard limit of what is stored and shown

_TAG = re.compile(r"</?[A-Za-z][^<>]{0,300}>")
_CITE = re.compile(r"\\(?:cite[a-z]*|ref|eqref|label|footnote|url|href)\*?(?:\[[^\]]*\])?\{[^{}]*\}")
_COMMAND = re.compile(r"\\[A-Za-z]+\*?")
_ABBREVIATIONS = (r"e\.g", r"i\.e", "et al", "vs", "cf", "Fig", "Eq", "Sec", "approx", "resp")
_ABBREV = "".join(rf"(?<!\b{a}\.)" for a in _ABBREVIATIONS)  # "e.g. GPT-4" does not end a sentence
_SPLIT = re.compile(_ABBREV + r"(?<=[.!?])\s+(?=[A-Z0-9(\[\"'\u201c]|[a-z]+[A-Z])")  # "... world. bGPT matches"
_WORD = re.compile(WORD)  # the candidate phrases' own words: "4-bit activations" is found as it was made
_NOISE = re.compile(  # links and "code is available at" sentences say nothing about the paper
    r"https?://|www\.|github\.com|\b(?:code|data|models?|dataset|weights)\b[^.]{0,40}\b(?:available|released)\b", re.I
)

CUE = re.compile(
    r"\b(?:we (?:propose|introduce|present|develop|design|build|release|construct)"
    r"|this (?:paper|work) (?:proposes|introduces|presents)|in this (?:paper|work)"
    r"|we (?:show|find|demonstrate)|our (?:method|approach|framework|model|system))\b",
    re.I,
)
_LEAD = re.compile(
    r"^(?:(?:to (?:address|tackle|overcome|bridge|fill|close|solve|mitigate|study|investigate|answer|remedy"
    r"|resolve|this end)\b[^,]{0,80}|motivated by\b[^,]{0,60}|inspired by\b[^,]{0,60}"
    r"|building (?:on|upon)\b[^,]{0,60}|based on\b[^,]{0,60}"
    r"|in this (?:paper|work|study|article|report)|here|specifically|concretely|therefore|thus|to this end|in response"
    r"|in particular|instead|finally|first|second|third|moreover|furthermore|additionally|in addition|consequently"
    r"|notably|importantly|overall|in summary|in short|together|as a result|to that end|accordingly),\s+)",
    re.I,
)
_WE_MAKE = re.compile(
    r"^(?:we|this (?:paper|work|study|article)|our (?:paper|work))\s+"
    r"(?:(?:therefore|further|also|then|first|now|here|thus)\s+)?"
    r"(?:propose|proposes|introduce|introduces|present|presents|develop|develops|design|designs|build|builds"
    r"|construct|constructs|release|releases|describe|describes|contribute|contributes|offer|offers"
    r"|formulate|formulates|establish|establishes|curate|curates|create|creates)\s+",
    re.I,
)
_WE_SHOW = re.compile(
    r"^(?:we|our (?:results|experiments|analysis|analyses|findings|evaluation|evaluations|study|main insight"
    r"|key insight|insight))\s+(?:(?:further|also|then|empirically|theoretically|additionally|consistently)\s+)?"
    r"(?:show|shows|find|finds|demonstrate|demonstrates|reveal|reveals|observe|prove|proves|argue|confirm|confirms"
    r"|establish|suggest|suggests|indicate|indicates|is|are|hypothesize|discover)\s+that\s+",
    re.I,
)
_CLAUSE_WE = re.compile(  # any other short opening clause before "we": "Given the cost of X, we propose"
    r"^(?:(?:in this (?:paper|work|study|article|report)|here)\s+|[^,;:]{3,160}?,\s+)(?=we\s)", re.I
)
_ANAPHOR = re.compile(  # a sentence leaning on the one before it reads badly alone
    r"^(?:if so|(?:this|that|these|those|such)(?!\s+(?:paper|work|study|article|report|survey)\b)|it|they|its|their"
    r"|however|nevertheless|nonetheless|yet|but|instead|moreover|furthermore|additionally|in addition|also"
    r"|thus|therefore|hence|consequently|as a result|in contrast|conversely|unfortunately)\b",
    re.I,
)
_APPOSITION = re.compile(r"^([^,;:()]{1,80}?(?:\s\([^()]{1,30}\))?),\s+(a|an|the)\s+", re.I)
_WHICH = re.compile(r"^([^,;:]{1,100}?),\s+(?:which|that)\s+", re.I)
_PAREN = re.compile(r"\([^()]*\)")


def clean(text: str) -> str:
    """Abstract text as plain words: HTML tags and entities, LaTeX markup and citations removed."""
    text = html.unescape(_TAG.sub(" ", text or ""))
    text = latex_to_text(_CITE.sub("", text))
    return " ".join(_COMMAND.sub("", text).split())


def sentences(text: str) -> list[str]:
    """The sentences of an already cleaned text (abbreviations such as "e.g." and "et al." do not end one)."""
    return [s.strip() for s in _SPLIT.split(text) if s.strip()]


def _cap(s: str) -> str:
    """Capitalised, unless the first word is a name with inner capitals (bGPT, iPhone, mRNA)."""
    first = s.split(" ", 1)[0]
    return s if any(c.isupper() for c in first[1:]) else s[:1].upper() + s[1:]


def compress(sentence: str) -> str:
    """The sentence without its lead-in and "we propose" frame; cut at a clause boundary when too long."""
    t = sentence.strip()
    for _ in range(2):
        t = _LEAD.sub("", t, count=1)
    t = _CLAUSE_WE.sub("", t, count=1)
    if m := _WE_SHOW.match(t):
        t = _cap(t[m.end() :])
    elif m := _WE_MAKE.match(t):
        rest = t[m.end() :]
        if a := _APPOSITION.match(rest):
            rest = f"{a.group(1)} is {a.group(2)} {rest[a.end() :]}"
        elif w := _WHICH.match(rest):
            rest = f"{w.group(1)} {rest[w.end() :]}"
        t = _cap(rest)
    words = t.split()
    if len(words) > TRIM_WORDS:
        for sep in (": ", "; ", " -- ", " \u2014 "):
            head = t.split(sep, 1)[0].rstrip(",")
            if 8 <= len(head.split()) < len(words):
                t = head if head.endswith((".", "!", "?")) else head + "."
                break
    if len(t) > MAX_CHARS:
        t = t[: MAX_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;:") + "\u2026"
    return _cap(t) if t else sentence[:MAX_CHARS]


def _grams(sentence: str) -> set[str]:
    """The sentence's 1-3-word runs, lower-cased, as candidate phrases are matched against it."""
    words = [w.lower() for w in _WORD.findall(sentence)]
    return {" ".join(words[i : i + n]) for n in (1, 2, 3) for i in range(len(words) - n + 1)}


def _says_something(summary: str) -> bool:
    return len(_PAREN.sub(" ", summary).split()) >= MIN_SUMMARY_WORDS


def pick(sents: list[str], phrases: list[str], vectors: np.ndarray | None, doc: np.ndarray) -> int:
    """Index of the sentence that best represents the paper (phrase-vector centrality + contribution cue)."""
    return rank(sents, phrases, vectors, doc)[0]


def rank(sents: list[str], phrases: list[str], vectors: np.ndarray | None, doc: np.ndarray) -> list[int]:
    """The usable sentences' indices, the one that best represents the paper first."""
    usable = [i for i, s in enumerate(sents) if len(s.split()) >= MIN_WORDS and not _NOISE.search(s)]
    usable = usable or list(range(len(sents)))
    if len(usable) == 1:
        return usable
    keys = [p.lower() for p in phrases]
    scores: dict[int, float] = {}
    for i in usable:
        grams = _grams(sents[i])
        rows = [k for k, p in enumerate(keys) if p in grams]
        score = -1.0
        if rows and vectors is not None:
            mean = vectors[rows].mean(axis=0)
            score = float(mean @ doc) / max(float(np.linalg.norm(mean)), 1e-12)
        if CUE.search(sents[i]):
            score += CUE_WEIGHT
        if _ANAPHOR.match(sents[i]):
            score -= ANAPHOR_PENALTY
        scores[i] = score
    return sorted(usable, key=lambda i: -scores[i])  # stable: ties keep the abstract's order


def best_summary(sents: list[str], order: list[int]) -> str:
    """The compressed best sentence, or the best one after it that is more than a name."""
    made = (compress(sents[i]) for i in order)  # compressed one by one: the first usually does
    best = next(made)
    return best if _says_something(best) else next((m for m in made if _says_something(m)), best)


@dataclass
class Summarizer:
    """Summaries with the phrase vectors of a keyphrase extractor (the index job shares one, and its cache)."""

    extractor: KeywordExtractor

    def summarize_many(self, papers: list[tuple[str, str, np.ndarray]]) -> list[str]:
        """One summary per ``(title, abstract, paper vector)``; "" for a paper without an abstract."""
        prepared = []
        for title, abstract, doc in papers:
            sents = [s for s in sentences(clean(abstract)) if len(_WORD.findall(s)) >= 2]  # words, not symbols
            phrases = candidates(title, abstract, stops=self.extractor.stops) if len(sents) > 1 else []
            prepared.append((sents, phrases, doc))
        wanted = [p for _, phrases, _ in prepared for p in phrases]
        if wanted:
            self.extractor.vectors(wanted)  # one model call for the phrases the cache lacks
        out = []
        for sents, phrases, doc in prepared:
            if not sents:
                out.append("")
                continue
            doc = np.asarray(doc, dtype=np.float32)
            doc = doc / max(float(np.linalg.norm(doc)), 1e-12)
            vectors = self.extractor.vectors(phrases) if phrases else None
            out.append(best_summary(sents, rank(sents, phrases, vectors, doc)))
        return out

    def summarize(self, title: str, abstract: str, vector: np.ndarray) -> str:
        return self.summarize_many([(title, abstract, vector)])[0]
