"""Keyphrases per paper, like Hugging Face's ``ai_keywords`` but without a language model (docs/topics.md).

KeyBERT's method with the bundled embedding model:

1. candidates: runs of words between punctuation and stop words (scikit-learn's English list plus words
   every abstract uses: "propose", "results", ...), and their 1-3-word pieces; at most ``CANDIDATES`` of
   them per paper, the most frequent first (title words count twice);
2. each candidate is embedded by the same model as the paper and scored by cosine similarity to the
   paper's stored vector;
3. maximal marginal relevance picks 3-8 of them that are close to the paper and not to each other; a
   phrase that contains (or is contained in) one already picked is skipped.

Phrase vectors repeat across papers ("large language models"), so an extractor keeps a bounded cache.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

MIN_KEYWORDS, MAX_KEYWORDS = 3, 8
CANDIDATES = 24  # phrases embedded per paper: the cost of extraction (40 measured: no better)
MIN_SCORE = 0.25  # below this a fourth or later phrase says little about the paper
DIVERSITY = 0.4  # MMR weight of novelty against closeness to the paper

ACADEMIC = frozenset(  # words that end a phrase: what every abstract says, not what it is about
    """
    propose proposed proposes proposing present presents presented introduce introduces introduced show
    shows shown showing demonstrate demonstrates demonstrated novel new based using use used uses existing
    significant significantly extensive achieve achieves achieved achieving outperform outperforms
    outperforming including various different however also first furthermore moreover additionally recent
    recently effective effectively efficient efficiently improve improves improved improving enable enables
    enabling provide provides providing leverage leverages leveraging address addresses addressing remains
    remain crucial critical important importantly prior previous widely commonly typically often via
    without within make makes making given able allows allow allowing require requires required lead leads
    leading approximately respectively yield yields superior competitive compared comparable yet still
    thus hence several many substantial substantially strong stronger simple consistently consistent paper
    work study studies state art publicly available github https http www com et al
    adopt adopts replace replaces support supports predict predicts reduce reduces capture captures generate
    generates learn learns apply applies combine combines exist exists obtain obtains perform performs
    produce produces relies reveal reveals explore explores investigate investigates examine examines
    employ employs incorporate incorporates integrate integrates utilize utilizes aim aims seek seeks
    consider considers focus focuses offer offers remains suffer suffers struggle struggle fail fails
    """.split()
)
GENERIC = frozenset(  # nouns too general to be a keyword alone (fine inside a phrase: "diffusion models")
    """
    method methods approach approaches result results model models data task tasks framework frameworks
    benchmark benchmarks problem problems challenge challenges performance analysis evaluation evaluations
    experiments experiment efficiency effectiveness ability code paradigm setting settings baseline
    baselines system systems technique techniques accuracy quality dataset datasets training learning
    """.split()
)


def stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | ACADEMIC


# a word, its number kept whole ("BitNet a4.8", "GPT-4.5", "4-bit", "1.58-bit", "3D"); the summaries match
# candidate phrases against sentences split into the same words (index/summaries.py)
WORD = r"[A-Za-z][A-Za-z0-9]*(?:[-'][A-Za-z0-9]+|(?<=[0-9])\.[0-9]+)*|[0-9]+(?:\.[0-9]+)?-?[A-Za-z][A-Za-z0-9-]*"
_TOKEN = re.compile(WORD + r"|[,.;:!?()\[\]{}\"]")  # a word or punctuation
_TIMES = re.compile(r"[0-9]+(?:\.[0-9]+)?x")
_ADVERB_OK = frozenset({"anomaly", "family", "supply", "assembly", "italy", "poly", "reply", "fly", "rely"})


def _display(word: str) -> str:
    """Lower-case, except acronyms and names with inner capitals (LLM, GPT-4, LoRA, KV-cache)."""
    return "-".join(p if any(c.isupper() for c in p[1:]) else p.lower() for p in word.split("-"))


def _chunks(text: str, stops: frozenset[str]) -> list[list[str]]:
    """Runs of content words, split at punctuation, stop words, adverbs and numbers."""
    out: list[list[str]] = []
    run: list[str] = []
    for tok in _TOKEN.findall(text):
        low = tok.lower()
        breaks = (
            not tok[0].isalnum()
            or low in stops
            or low.replace("-", "").isdigit()
            or _TIMES.fullmatch(low) is not None  # "48.9x faster": a claim, not a topic
            or len(low) < 2
            or (low.endswith("ly") and len(low) > 4 and low not in _ADVERB_OK)
        )
        if breaks:
            if run:
                out.append(run)
            run = []
        else:
            run.append(_display(tok))
    if run:
        out.append(run)
    return out


def candidates(title: str, abstract: str, *, limit: int = CANDIDATES, stops: frozenset[str] | None = None) -> list[str]:
    """Candidate keyphrases of a paper (1-3 content words), most frequent first (title words count twice)."""
    stops = stops if stops is not None else stop_words()
    counts: dict[str, float] = {}
    first: dict[str, int] = {}
    for weight, text in ((2.0, title), (1.0, abstract)):
        for run in _chunks(text, stops):
            for n in (1, 2, 3):
                for i in range(len(run) - n + 1):
                    words = run[i : i + n]
                    if n == 1 and (len(words[0]) < 3 or words[0].lower() in GENERIC):
                        continue
                    if words[-1].endswith("ed") and len(words[-1]) > 4:
                        continue  # "priors interact" survives, "checks violated" (a verb) does not
                    phrase = " ".join(words)
                    counts[phrase] = counts.get(phrase, 0.0) + weight * (1.0 + 0.2 * (n - 1))
                    first.setdefault(phrase, len(first))
    ranked = sorted(counts, key=lambda p: (-counts[p], first[p]))
    return ranked[:limit]


def _words(phrase: str) -> frozenset[str]:
    return frozenset(w.lower().rstrip("s") for w in phrase.split())


def select(
    phrases: list[str], vectors: np.ndarray, doc: np.ndarray, *, top_n: int = MAX_KEYWORDS
) -> list[tuple[str, float]]:
    """Maximal marginal relevance over candidate vectors (rows L2-normalised) against the paper's vector."""
    if not phrases:
        return []
    sims = vectors @ doc
    pair = vectors @ vectors.T
    chosen: list[int] = []
    left = list(np.argsort(-sims))
    while left and len(chosen) < top_n:
        if chosen:
            redundancy = pair[np.ix_(left, chosen)].max(axis=1)
            mmr = (1 - DIVERSITY) * sims[left] - DIVERSITY * redundancy
            best = left[int(np.argmax(mmr))]
        else:
            best = left[0]
        left.remove(best)
        if len(chosen) >= MIN_KEYWORDS and sims[best] < MIN_SCORE:
            break
        words = _words(phrases[best])
        if any(words <= _words(phrases[c]) or words >= _words(phrases[c]) for c in chosen):
            continue
        chosen.append(best)
    return [(phrases[i], round(float(sims[i]), 4)) for i in chosen]


@dataclass
class KeywordExtractor:
    """Extracts keyphrases with an encoder that has ``encode(list[str]) -> (n, dim)`` normalised rows."""

    encoder: object
    cache_size: int = 200_000

    def __post_init__(self):
        self.stops = stop_words()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def vectors(self, phrases: list[str]) -> np.ndarray:
        """Rows of normalised phrase vectors (cached; the summaries of ``index/summaries.py`` share them)."""
        missing = []
        for p in dict.fromkeys(phrases):
            if p in self._cache:
                self._cache.move_to_end(p)  # least recently used goes first, never a phrase of this call
            else:
                missing.append(p)
        if missing:
            for p, v in zip(missing, self.encoder.encode(missing), strict=True):
                self._cache[p] = np.asarray(v, dtype=np.float32)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return np.stack([self._cache[p] for p in phrases])

    def extract_many(self, papers: list[tuple[str, str, np.ndarray]]) -> list[list[tuple[str, float]]]:
        """Keyphrases with scores for ``(title, abstract, paper vector)`` triples (one model call for all)."""
        cands = [candidates(t, a, stops=self.stops) for t, a, _ in papers]
        flat = [p for c in cands for p in c]
        if not flat:
            return [[] for _ in papers]
        self.vectors(flat)  # embed every missing phrase of the batch at once
        out = []
        for c, (_, _, doc) in zip(cands, papers, strict=True):
            if not c:
                out.append([])
                continue
            doc = np.asarray(doc, dtype=np.float32)
            out.append(select(c, self.vectors(c), doc / max(float(np.linalg.norm(doc)), 1e-12)))
        return out

    def extract(self, title: str, abstract: str, vector: np.ndarray) -> list[tuple[str, float]]:
        return self.extract_many([(title, abstract, vector)])[0]
