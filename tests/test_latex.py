"""Math in titles written out for reading (latex.math_to_text): what arXiv titles hold, and what must stay
as written (TeX with no plain form, dollars that are money)."""

from __future__ import annotations

import pytest

from paperfeed.latex import math_to_text


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        (r"Synth$^2$: Boosting Visual-Language Models", "Synth²: Boosting Visual-Language Models"),
        (r"$\textit{Trans-LoRA}$: towards data-free", "Trans-LoRA: towards data-free"),
        (r"MicroDreamer: 3D Generation in $\sim$20 Seconds", "MicroDreamer: 3D Generation in ~20 Seconds"),
        (r"$\pi_0$: A Vision-Language-Action Flow Model", "π₀: A Vision-Language-Action Flow Model"),
        (r"$\mathcal{O}(n \log n)$ attention", "O(n log n) attention"),
        (r"A Simple $L_2$ Norm-Based Strategy", "A Simple L₂ Norm-Based Strategy"),
        (r"LLM$\times$MapReduce", "LLM×MapReduce"),
        (r"$\nabla^2$DFT and $\mathbb{R}^{d}$", "∇²DFT and Rᵈ"),
        (r"$μ$LO: Meta-Generalization", "μLO: Meta-Generalization"),
        ("No math at all", "No math at all"),
    ],
)
def test_math_a_title_holds_reads_as_text(title, shown):
    assert math_to_text(title) == shown


@pytest.mark.parametrize(
    "title",
    [
        r"Learning $\frac{a}{b}$ fractions",  # no plain form: kept whole, dollars and all
        r"Weights $w^\dagger$ in $x_{\alpha}$",  # a sub/superscript Unicode lacks
        "It costs $5 and $6 to train",  # money, not math
        r"Cheap \$5 models",
    ],
)
def test_math_without_a_plain_form_stays_as_written(title):
    assert math_to_text(title) == title
