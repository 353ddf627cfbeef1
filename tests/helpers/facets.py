"""Hand-written papers for faceted similar papers: a query paper and one paper sharing each of its facets."""

from __future__ import annotations

from paperfeed.index import job
from paperfeed.ingest import import_items
from paperfeed.records import PaperRecord

QUERY = "2601.00010"
SHARES = {"background": "2601.00011", "method": "2601.00012", "result": "2601.00013"}  # facet -> the paper

BACKGROUND = "Hospitals struggle to predict which patients will be readmitted within thirty days of discharge."
METHOD = "We train a gradient-boosted decision tree ensemble on features extracted from structured records."
RESULT = "The model reduces the false alarm rate by a third while keeping recall above ninety percent."

# the query paper, then one paper sharing each of its facets (and nothing else), then unrelated ones
FACET_PAPERS = {
    "2601.00010": ("Predicting hospital readmissions with boosted trees", f"{BACKGROUND} {METHOD} {RESULT}"),
    "2601.00011": (
        "Why patients come back to hospital",
        f"{BACKGROUND} We interview nurses and analyse discharge notes by hand across four wards. "
        "Staffing levels, not diagnoses, explain most of the variation we see.",
    ),
    "2601.00012": (
        "Forecasting crop yields from satellite data",
        "Farmers need yield estimates weeks before the harvest to plan sales and storage. "
        f"{METHOD} Estimates are accurate to within eight percent at the county level.",
    ),
    "2601.00013": (
        "Fewer false alarms in intensive care monitoring",
        "Bedside monitors raise alarms constantly and staff learn to ignore them. "
        "We fit a hidden Markov model to streams of heart rate and oxygen saturation readings. "
        f"{RESULT}",
    ),
    "2601.00014": (
        "Sparse attention for long documents",
        "Transformers scale quadratically with the length of their input. We replace dense attention with "
        "a learned block-sparse pattern. Summaries of books improve by two ROUGE points.",
    ),
    "2601.00015": (
        "Robot grasping from tactile feedback",
        "Robots drop fragile objects because vision alone cannot sense slip. We add tactile sensors to the "
        "gripper and learn a slip detector with contrastive pre-training. Grasp success rises from 71 to 93 percent.",
    ),
    "2601.00016": (
        "Hospital readmission prediction with deep sequence models",
        "Readmission risk models help hospitals target follow-up care. We encode each patient's visit "
        "history with a recurrent network over diagnosis codes. It beats logistic regression by four AUC points.",
    ),
}


def index_facet_papers(store, settings, encoder) -> None:
    """Import ``FACET_PAPERS`` and index them (vectors and sentences) with the session's cached encoder."""
    import_items(
        store,
        [PaperRecord(title=t, abstract=a, arxiv_id=pid, source="test") for pid, (t, a) in FACET_PAPERS.items()],
    )
    job.run(store, settings, encoder=encoder, keywords=False)
