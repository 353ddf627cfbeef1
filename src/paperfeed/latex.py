"""LaTeX markup in titles and names (BibTeX, the arXiv metadata dump) turned into plain Unicode text.

``{\\"u}`` -> ü, ``Schr\\"odinger`` -> Schrödinger, ``{\\ss}`` -> ß, ``{BERT}`` -> BERT, ``\\emph{x}`` -> x.
Math (``$...$``) is kept as written, dollars included: ``$O(n \\log n)$`` stays readable and searchable;
``math_to_text`` writes it out in Unicode where it can ("Synth$^2$" -> "Synth²") for titles as shown.
Used by the file and library readers (``sources``) and by the store's title matching (``store.library``);
``outside_math`` by the import's TeX escapes (``records``) and the BibTeX export (``export``);
``accents_to_text`` by the import (``records``) for every source.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

_ACCENTS = {
    '"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303", "=": "\u0304", ".": "\u0307",
    "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328", "r": "\u030a", "b": "\u0331",
    "d": "\u0323",
}  # fmt: skip
_BASE = r"(?:\\[ij](?![A-Za-z])|[A-Za-z])"
# \"u, \"{u}, {\"u}, \'{\i}; letter accents need braces or a space: \v{s}, \c c
_ACCENT_RE = re.compile(
    rf"\\([\"'`^~=.])\s*(?:\{{\s*({_BASE})\s*\}}|({_BASE}))"
    rf"|\\([uvHckrbd])(?:\s*\{{\s*({_BASE})\s*\}}|\s+({_BASE}))"
)
_SYMBOLS = {
    "ss": "ß", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å", "o": "ø", "O": "Ø",
    "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð", "th": "þ", "TH": "Þ",
}  # fmt: skip
_SYMBOL_RE = re.compile(r"\\(ss|ae|AE|oe|OE|aa|AA|dh|DH|th|TH|[oOlLij])(?![A-Za-z])(?:\{\})?\s?")
_ESCAPES_RE = re.compile(r"\\([&%$_#])")
# \emph{x}, \textbf{x}, \url{x}, ... -> x (the braces are dropped below)
_FORMAT_CMDS = re.compile(
    r"\\(?:emph|textit|textbf|textsc|texttt|textrm|textsf|textup|textsl|textnormal|mbox|url|"
    r"text)\s*(?=\{)"
)
_SPACING = re.compile(r"\\[,;:! ]|~")
_MATH = re.compile(r"(?<!\\)\$[^$]*(?<!\\)\$")
# a math span as imported texts and BibTeX exports keep it: ``$...$``, not empty, a ``\$`` inside it TeX's
# own (``_MATH`` above, older, is latex_to_text's and also takes ``$$``)
MATH_SPAN = re.compile(r"((?<!\\)\$(?:[^$\\]|\\.)+\$)")


def outside_math(text: str, fn: Callable[[str], str]) -> str:
    """``text`` with ``fn`` applied to each stretch outside ``MATH_SPAN``s; the math is left as written."""
    parts = MATH_SPAN.split(text)
    parts[::2] = [fn(p) for p in parts[::2]]
    return "".join(parts)


def _accent(m: re.Match[str]) -> str:
    mark = _ACCENTS[m.group(1) or m.group(4)]
    base = m.group(2) or m.group(3) or m.group(5) or m.group(6)
    base = {"\\i": "i", "\\j": "j"}.get(base, base)
    return unicodedata.normalize("NFC", base + mark)


def _plain(s: str) -> str:
    s = _FORMAT_CMDS.sub("", s)
    s = _ACCENT_RE.sub(_accent, s)
    s = _SYMBOL_RE.sub(lambda m: _SYMBOLS[m.group(1)], s)
    s = _SPACING.sub(" ", s)
    s = s.replace("\\{", "\x00").replace("\\}", "\x01")  # literal braces survive
    s = s.replace("{", "").replace("}", "")
    s = s.replace("\x00", "{").replace("\x01", "}")
    s = s.replace("``", "\u201c").replace("''", "\u201d")
    return _ESCAPES_RE.sub(r"\1", s)


_LONE_LETTER = re.compile(r"\{([^\x00-\x7f])\}")  # {ü} left by {\"u}: braces around a letter made here


def _letters(s: str) -> str:
    s = _ACCENT_RE.sub(_accent, s)
    s = _SYMBOL_RE.sub(lambda m: _SYMBOLS[m.group(1)], s)
    return _LONE_LETTER.sub(r"\1", s)


# MathJax's ``\unicode{x2013}`` (hex) or ``\unicode{8211}`` (decimal), alone in its math span or outside math:
# arXiv abstracts write dashes and symbols so, which pages showed as typed
_CODE = r"\\unicode\{(x[0-9A-Fa-f]{1,6}|[0-9]{1,7})\}"
_UNICODE_RE = re.compile(rf"\${_CODE}\$|{_CODE}")
_TEX_SPECIAL = set("$\\{}%#&_^~")


def _code_point(m: re.Match[str]) -> str:
    code = m.group(1) or m.group(2)
    n = int(code[1:], 16) if code[0] == "x" else int(code)
    char = chr(n) if n <= 0x10FFFF else ""
    if not char or char in _TEX_SPECIAL or unicodedata.category(char) in ("Cc", "Cf", "Cs", "Cn", "Co"):
        return m.group(0)  # TeX's own ($ would open math), a control, bidi, surrogate, private or unassigned
    return char


def accents_to_text(text: str) -> str:
    """``text`` with TeX's accents and special letters (``G\\"{o}del``, ``{\\"u}``, ``Stra\\ss e``) written as
    the letters they stand for, outside math, and MathJax's ``$\\unicode{x2013}$`` as its character (–);
    nothing else of TeX changes (arXiv's titles and abstracts as the query API and OAI-PMH give them, so that
    pages show "Gödel" and searches for it find the paper)."""
    if "\\" not in text:
        return text
    if "\\unicode{" in text:
        text = _UNICODE_RE.sub(_code_point, text)
    return outside_math(text, _letters)


def latex_to_text(value: str) -> str:
    if "\\" not in value and "{" not in value and "~" not in value:
        return " ".join(value.split())
    out, pos = [], 0
    for m in _MATH.finditer(value):
        out.append(_plain(value[pos : m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(_plain(value[pos:]))
    return " ".join("".join(out).split())


# --- math in titles, for reading: "Synth$^2$" -> "Synth²", "$\pi_0$" -> "π₀", "$\sim$20" -> "~20" ----------
_GREEK = dict(zip(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi rho sigma "
    "tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split(),
    "αβγδεεζηθθικλμνξπρστυφφχψωΓΔΘΛΞΠΣΥΦΨΩ", strict=True))  # fmt: skip
_MATH_WORDS = {
    "sim": "~", "approx": "≈", "times": "×", "cdot": "·", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥",
    "neq": "≠", "ne": "≠", "infty": "∞", "pm": "±", "to": "→", "rightarrow": "→", "leftarrow": "←",
    "ldots": "…", "dots": "…", "cdots": "…", "partial": "∂", "nabla": "∇", "in": "∈", "star": "⋆",
    "circ": "∘", "ell": "ℓ", "dagger": "†", "ast": "∗", "mid": "|", "vert": "|", "langle": "⟨", "rangle": "⟩",
    "log": "log", "exp": "exp", "min": "min", "max": "max", "sqrt": "√", "%": "%", "&": "&", "#": "#", "_": "_",
    "{": "{", "}": "}", ",": "", "!": "", ";": " ", ":": " ", " ": " ", "quad": " ",
}  # fmt: skip
_MATH_STYLE = re.compile(
    r"\\(?:text|textit|textbf|textrm|textsf|texttt|textsc|emph|math(?:rm|it|bf|sf|tt|cal|bb|scr|frak)|"
    r"boldsymbol|bm|operatorname)\s*(?=\{)"
)
_MATH_CMD = re.compile(r"\\([A-Za-z]+|[%&#_{},!;: ])")
_SUP = str.maketrans("0123456789+-=()abcdefghijklmnoprstuvwxyz", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ")
_SUB = str.maketrans("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
_SCRIPT = re.compile(r"([\^_])(?:\{([^{}]*)\}|(\S))")


def _script(m: re.Match[str]) -> str:
    body = m.group(2) if m.group(2) is not None else m.group(3)
    table = _SUP if m.group(1) == "^" else _SUB
    out = body.translate(table)
    if any(c == t for c, t in zip(body, out, strict=True) if not c.isspace()):
        raise ValueError(body)  # a character with no raised or lowered form: keep the math as written
    return out


def _math_span(span: str) -> str:
    body = span[1:-1]
    if body != body.strip():  # "$5 and $6": dollars, not math (TeX math in a title hugs its dollars)
        return span
    body = _MATH_STYLE.sub("", body)
    body = _MATH_CMD.sub(lambda m: _GREEK.get(m.group(1)) or _MATH_WORDS.get(m.group(1), m.group(0)), body)
    try:
        body = _SCRIPT.sub(_script, body)
    except ValueError:
        return span
    body = body.replace("{", "").replace("}", "")
    return span if "\\" in body or not body.strip() else " ".join(body.split())


def math_to_text(title: str) -> str:
    """``title`` with each ``$...$`` it holds written out in Unicode where that reads the same (letters,
    Greek, common symbols, digit super- and subscripts); a span with anything else stays as written. For
    showing a title (pages, feeds, mail) and for words taken from it (BibTeX keys): the stored title keeps
    its TeX, as arXiv and the API give it."""
    return MATH_SPAN.sub(lambda m: _math_span(m.group(1)), title) if "$" in title else title
