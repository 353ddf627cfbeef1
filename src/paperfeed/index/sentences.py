"""Sentences of a paper and their facets: what it sets out to do, how it does it, what it finds.

    split("We study X. We propose Y. Y beats Z by 3%.")   # -> the three sentences
    label(sentences)                                      # -> ["background", "method", "result"]

Faceted similar papers (``rank/facets.py``, docs/search.md "Faceted similar papers") match a paper's
sentences of one facet against every sentence of its candidates. The index job stores, per paper, the
title and abstract sentences (``sentences_of``), their facet labels and their vectors from the bundled
model (``store/sentences.py``: one row per paper, the vectors as 8-bit integers).

The labeller is a handful of rules, no trained model: cue words and phrases ("we propose", "results show",
"however, ... remains", numbers with %) and the sentence's place in the abstract (background first, results
last), added up per facet; the highest total wins. CSFCube's facets (Mysore et al. 2021): *background*
holds the problem, its motivation and the paper's objective; *method* how the work is done (models,
data, procedures); *result* findings, evaluations and conclusions. Its accuracy, measured on the
author-written section labels of structured arXiv abstracts, is in docs/benchmarks.md
(``bench/eval_facets.py --labels``).
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

from .embed import DIM

FACETS = ("background", "method", "result")
TITLE = "title"  # the title is a sentence to match against, never a facet of its own
MAX_SENTENCES = 24  # per paper, title included: abstracts beyond that are rare (and run-on)
_MIN_WORDS = 4  # a shorter piece is joined to the sentence before it

_SPACE = re.compile(r"\s+")
# a sentence ends at . ! ? followed by a space and a capital, a digit or an opening bracket/quote ...
_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[\"'“])")
# ... unless the word before the full stop is an abbreviation
_ABBREV = re.compile(
    r"(?:\b(?:e\.g|i\.e|et al|etc|vs|cf|Fig|Figs|Eq|Eqs|Sec|Tab|No|approx|resp|Dr|Mr|Ms|St)|\b[A-Z])\.$"
)


def split(text: str) -> list[str]:
    """The sentences of an abstract (whitespace collapsed; fragments under 4 words joined to the previous)."""
    text = _SPACE.sub(" ", text or "").strip()
    if not text:
        return []
    out: list[str] = []
    for piece in _BOUNDARY.split(text):
        if out and (_ABBREV.search(out[-1]) or len(piece.split()) < _MIN_WORDS):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    if len(out) > 1 and len(out[0].split()) < _MIN_WORDS:  # a short opener ("Background.") joins the next
        out[:2] = [f"{out[0]} {out[1]}"]
    return out


def sentences_of(title: str, abstract: str) -> list[str]:
    """What the index stores for a paper: its title, then its abstract's sentences (at most MAX_SENTENCES)."""
    title = _SPACE.sub(" ", title or "").strip()
    return ([title] if title else []) + split(abstract)[: MAX_SENTENCES - (1 if title else 0)]


def sentences_hash(title: str, abstract: str) -> str:
    """Changes when the stored sentences would: the text, the splitter or the labeller (``RULES_VERSION``)."""
    key = f"{RULES_VERSION}\n{title}\n{abstract}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


# --- the labeller ------------------------------------------------------------------------------------

RULES_VERSION = "2"  # bump when the rules change: the job relabels (and re-embeds) every paper's sentences


def _cues(*pairs: tuple[str, float]) -> list[tuple[re.Pattern, float]]:
    return [(re.compile(p), w) for p, w in pairs]


_WE = r"\b(?:we|this (?:paper|work|study|article)|in this (?:paper|work|study),? we|the authors?)\b"

_RULES: dict[str, list[tuple[re.Pattern, float]]] = {
    "background": _cues(
        (
            r"\b(?:has|have|had) (?:become|attracted|gained|received|emerged|drawn|seen|made|long|been (?:widely|"
            r"extensively|increasingly|recently|long|much|well|often|successfully|traditionally|largely|"
            r"commonly|mostly|a))\b",
            1.5,
        ),
        (r"\b(?:recent(?:ly)?|increasing(?:ly)?|growing|widely|popular|emerging|rapid(?:ly)?|prevalent)\b", 1.0),
        (r"\b(?:however|although|despite|while|whereas|unfortunately|nevertheless|yet)\b", 0.8),
        (
            r"\b(?:challeng\w*|problems?|issues?|difficult\w*|limitations?|limited|lacks?|lacking|bottlenecks?|"
            r"remains?|unclear|open question|unexplored|understudied|struggle\w*|suffer\w*|hinder\w*|"
            r"costly|expensive|time-consuming|labou?r-intensive|prone to|fail to|fails to|gap)\b",
            1.0,
        ),
        (
            r"\b(?:important|crucial|essential|critical|fundamental|key|central|vital|ubiquitous|"
            r"plays? an? (?:important|key|central|crucial) role)\b",
            0.8,
        ),
        (
            r"\b(?:existing|previous|prior|traditional|conventional|classical|current|most|many|typical(?:ly)?|"
            r"common(?:ly)?|often|usually|standard)\b",
            0.6,
        ),
        (r"\b(?:goal|aims?|objective|motivat\w*|needs?|require[sd]?|desirable|question|whether|how to)\b", 0.8),
        (
            _WE + r" (?:study|studies|investigate[sd]?|address(?:es)?|consider[s]?|explore[sd]?|examine[sd]?|"
            r"tackle[sd]?|focus(?:es)? on|aim[s]? to|seek[s]? to|ask|revisit)\b",
            1.5,
        ),
        (r"^(?:the|a|an)\s+\w+(?:\s+\w+){0,4}\s+(?:is|are)\s+(?:a|an|the|one|among|becoming|increasingly)\b", 1.0),
        (r"\b(?:in recent years|over the (?:past|last)|nowadays|to date|so far)\b", 1.5),
    ),
    "method": _cues(
        (
            _WE + r" (?:(?:also |then |first |further )?(?:propos|present|introduc|develop|design|describ|build|"
            r"built|construct|use|used|uses|using|employ|appl|adopt|train|formulat|model|leverag|extend|combin|"
            r"implement|defin|represent|learn|comput|deriv|incorporat|exploit|cast|frame|rel[yi]|collect|annotat|"
            r"creat|releas|augment|fine-tun|pre-?train|encod|treat|conduct|perform|gather|curat|recruit|"
            r"compil|measur|simulat|generat|extract|fit|estimat|pars)\w*)\b",
            2.0,
        ),
        (r"\bwe (?:suggest|advocate|put forward|offer) (?:a|an|the|to|using)\b", 2.0),
        (
            r"\b(?:was|were|is|are|has been|have been) (?:used|collected|trained|applied|conducted|performed|"
            r"recruited|annotated|compared|tested|extracted|included|enrolled|measured|designed|developed|constructed|computed|"
            r"obtained from|derived|fed|fine-tuned|implemented|modell?ed|represented|encoded|sampled)\b",
            1.5,
        ),
        (
            r"\b(?:our|the proposed|this|the new|a novel|a new|an? \w+-based)\s+(?:\w+\s+)?(?:method|approach|model|"
            r"framework|system|algorithm|architecture|technique|pipeline|strategy|scheme|module|network|"
            r"mechanism|corpus|dataset|data set|benchmark|tool|procedure|formulation|objective|loss)\b",
            1.5,
        ),
        (
            r"\b(?:based on|by (?:using|leveraging|learning|combining|exploiting|modell?ing|training|adding|"
            r"introducing|applying|treating|casting)|using|via|through|consists? of|composed of|comprises?|"
            r"trained (?:on|with)|relies on|takes as input|is used to|are used to|in order to|which (?:uses|learns|"
            r"combines|maps|encodes))\b",
            1.0,
        ),
        (
            r"\b(?:algorithms?|architectures?|modules?|encoders?|decoders?|neural|networks?|classifiers?|features?|"
            r"loss|training|trained|inference|annotat\w*|corpus|corpora|datasets?|data set|collected|parser|"
            r"embeddings?|representations?|layers?|attention|graph|kernel|probabilistic|bayesian|heuristics?|"
            r"rules?|lexicons?|supervised|unsupervised|reinforcement|optimi[sz]\w*|sampling|regression|clustering|"
            r"pipeline|step|stages?|jointly|end-to-end)\b",
            0.5,
        ),
        (
            r"\b(?:first|then|finally|next|subsequently|specifically|in particular|to this end|to do so|to that end|"
            r"for this purpose|to address this|to overcome|to tackle|to solve)\b",
            1.0,
        ),
    ),
    "result": _cues(
        (
            r"\b(?:results?|experiments?|experimental|evaluations?|evaluated|empirical(?:ly)?|analys[ie]s|"
            r"case stud(?:y|ies)|user stud(?:y|ies)|ablations?)\b",
            1.0,
        ),
        (
            r"\b(?:show[sn]?|showed|showing|demonstrat\w*|reveal\w*|indicat\w*|suggest\w*|confirm\w*|"
            r"find|finds|found|findings?|observe[sd]?|conclude[sd]?|verif\w*|validat\w*|prove[sn]?)\b",
            1.5,
        ),
        (
            r"\b(?:outperform\w*|improv\w*|achiev\w*|surpass\w*|exceed\w*|beats?|better|best|superior|"
            r"competitive|comparable|significant(?:ly)?|substantial(?:ly)?|gains?|boost\w*|"
            r"state[- ]of[- ]the[- ]art|sota|accuracy|f1|f-scores?|f-measure|bleu|rouge|precision|recall|"
            r"error rates?|performance|baselines?|correlat\w*|effective(?:ness)?|robust(?:ness)?|reduc\w*|"
            r"increas(?:e|es|ed)|higher|lower|faster|fewer)\b",
            1.0,
        ),
        (r"\d+(?:\.\d+)?\s*(?:%|percent|points?|x\b|times\b|absolute|relative)", 2.0),
        (
            r"\b(?:we (?:also )?(?:show|find|observe|demonstrate|report|conclude|obtain)|our (?:results|"
            r"experiments|analysis|findings|evaluation)|this (?:suggests|shows|indicates|demonstrates)|"
            r"these (?:results|findings)|overall|in (?:conclusion|summary)|finally, we)\b",
            2.0,
        ),
        (r"\b(?:can|could|may|might) (?:be|help|improve|benefit|lead|enable|serve)\b", 0.5),
        (r"\b(?:code|data|models?|datasets?) (?:is|are|will be) (?:publicly )?(?:available|released)\b", 0.5),
    ),
}
_BACKGROUND_DENIED = re.compile(r"\b(?:has|have) been (?:shown|demonstrated|found|proposed|developed|used|applied)\b")


def facet_scores(sentence: str, position: int, count: int) -> dict[str, float]:
    """Each facet's total for one sentence: its cue weights plus a prior for its place in the abstract."""
    low = sentence.lower()
    rel = position / (count - 1) if count > 1 else 0.0
    score = {
        "background": 2.0 * (1.0 - rel) ** 2 + (1.0 if position == 0 else 0.0),
        "method": 1.5 * (1.0 - abs(rel - 0.45) * 2.0),
        "result": 2.0 * rel**2 + (1.0 if count > 2 and position == count - 1 else 0.0),
    }
    for facet, rules in _RULES.items():
        for pattern, weight in rules:
            if pattern.search(low):
                score[facet] += weight
    if _BACKGROUND_DENIED.search(low):  # prior work's results: background, not this paper's findings
        score["background"] += 1.5
        score["result"] -= 1.5
    return score


def label(sentences: list[str]) -> list[str]:
    """The facet of each abstract sentence (title excluded), by ``facet_scores``; ties go background >
    method > result."""
    n = len(sentences)
    out = []
    for i, s in enumerate(sentences):
        score = facet_scores(s, i, n)
        out.append(max(FACETS, key=lambda f: score[f]))
    return out


def labelled(title: str, abstract: str) -> tuple[list[str], list[str]]:
    """``(sentences, labels)`` as stored: the title first (labelled ``title``), then each abstract sentence."""
    sents = sentences_of(title, abstract)
    has_title = bool(_SPACE.sub(" ", title or "").strip())
    body = sents[1:] if has_title else sents
    return sents, ([TITLE] if has_title else []) + label(body)


# --- storage: facet letters and 8-bit vectors ------------------------------------------------------------

LETTER = {TITLE: "t", "background": "b", "method": "m", "result": "r"}
FACET_OF = {v: k for k, v in LETTER.items()}


def letters(labels: list[str]) -> str:
    return "".join(LETTER[x] for x in labels)


def pack(vectors: np.ndarray) -> bytes:
    """Sentence vectors as int8 rows, each scaled so its largest component is 127 (cosines are unchanged
    to ~1e-4: rows are normalised again when read). 384 bytes a sentence instead of 1,536."""
    v = np.asarray(vectors, dtype=np.float32)
    peak = np.abs(v).max(axis=1, keepdims=True)
    peak[peak == 0] = 1.0
    return np.rint(v / peak * 127.0).astype(np.int8).tobytes()


def unpack(blob: bytes) -> np.ndarray:
    """The unit-length float32 rows of ``pack``'s bytes."""
    v = np.frombuffer(blob, dtype=np.int8).reshape(-1, DIM).astype(np.float32)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return v / norms
