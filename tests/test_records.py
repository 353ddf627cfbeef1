"""Records as the store receives them (``records.checked``)."""

from __future__ import annotations

from paperfeed.records import PaperRecord, checked


def test_author_names_lose_the_and_of_a_split_list_and_repeats():
    """Author lists split at commas ("A, B, and C") arrive with "and C": the name is C, once."""
    record = PaperRecord(
        title="A paper",
        abstract="Text.",
        authors=["Di Huang", "and Lei Bai", "Lei Bai", "& Ann Lee", "Anderson Cooper", "Andrea and", "and"],
        source="test",
    )
    assert checked(record).authors == ["Di Huang", "Lei Bai", "Ann Lee", "Anderson Cooper", "Andrea and"]


def test_tex_quotation_marks_become_typographic_ones():
    """Hugging Face and arXiv pass abstracts on with TeX's ``quotes'', which pages showed as typed."""
    record = PaperRecord(
        title="The ``Open Cookbook'' of code LLMs",
        abstract="It serves as an ``open cookbook'' for ``the community''. With $f''(x)$ and an ``unclosed $g''$ mark.",
        source="test",
    )
    out = checked(record)
    assert out.title == "The \u201cOpen Cookbook\u201d of code LLMs"
    assert out.abstract == (
        "It serves as an \u201copen cookbook\u201d for \u201cthe community\u201d. "
        "With $f''(x)$ and an ``unclosed $g''$ mark."
    )


def test_tex_escapes_become_the_characters_outside_math():
    """Hugging Face abstracts and some arXiv titles carry TeX's escapes ("68\\% faster"), which pages, feeds
    and the API showed as typed; inside math they are TeX and stay."""
    record = PaperRecord(
        title=r"User Experience \& Acceptability of get\_capital",
        abstract=r"It cuts inference time by 68\% (issue \#12) for \$0.0007 a call; $x\_1 + y\_2$ stays.",
        source="test",
    )
    out = checked(record)
    assert out.title == "User Experience & Acceptability of get_capital"
    assert out.abstract == r"It cuts inference time by 68% (issue #12) for \$0.0007 a call; $x\_1 + y\_2$ stays."


def test_tex_accents_become_letters_outside_math():
    """arXiv's API and OAI-PMH give titles, abstracts and names with TeX's accents, which pages showed as
    typed (G\\"{o}del) and searches for Gödel or Godel did not find; math stays as written."""
    record = PaperRecord(
        title=r"Bounds on $\alpha$-divergences and G\"{o}del's theorem for $\mathcal{O}(n^2)$ learners",
        abstract=r"We study $\alpha$-divergences in Schr\"odinger bridges ({\"u}ber Stra\ss e, $\"o$ stays).",
        authors=[r"J\"org M{\"u}ller", "Łukasz Kaiser"],
        source="test",
    )
    out = checked(record)
    assert out.title == r"Bounds on $\alpha$-divergences and Gödel's theorem for $\mathcal{O}(n^2)$ learners"
    assert out.abstract == r"We study $\alpha$-divergences in Schrödinger bridges (über Straße, $\"o$ stays)."
    assert out.authors == ["Jörg Müller", "Łukasz Kaiser"]


def test_mathjax_unicode_becomes_the_character():
    """arXiv abstracts write dashes as MathJax's ``$\\unicode{x2013}$``, which pages, feeds and mails showed
    as typed; a code that is no printable character stays as written."""
    record = PaperRecord(
        title=r"Hallucinations$\unicode{x2014}$a survey",
        abstract=(
            r"Biofouling$\unicode{x2013}$communities of organisms$\unicode{8211}$provides a pathway;"
            r" $a \unicode{x00D7} b$ is math; $\unicode{x202E}$ and \unicode{x110000} stay;"
            r" so do TeX's own: $\unicode{x24}$ 5, \unicode{x5C}alpha, \unicode{123}."
        ),
        source="test",
    )
    out = checked(record)
    assert out.title == "Hallucinations\u2014a survey"
    assert out.abstract == (
        "Biofouling\u2013communities of organisms\u2013provides a pathway;"
        r" $a × b$ is math; $\unicode{x202E}$ and \unicode{x110000} stay;"
        r" so do TeX's own: $\unicode{x24}$ 5, \unicode{x5C}alpha, \unicode{123}."
    )
