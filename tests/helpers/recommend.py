"""Helpers for the recommendation tests: a small corpus of four topics, embedded with the real model.

``NEW`` papers are listed in the week before ``NOW`` (the candidates "for you" ranks); ``OLD`` papers a
month earlier (what users vote on and save). Vectors are computed by the bundled model and written to
``paper_vectors`` directly (the recommender reads nothing else), so no search index is built.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pytest

from paperfeed.index.embed import MODEL_NAME
from paperfeed.index.text import embed_text, text_hash
from paperfeed.ingest import import_items
from paperfeed.records import Featured, PaperRecord, checked
from paperfeed.store import vectors as store_vectors

NOW = datetime(2024, 3, 8, 9, tzinfo=UTC)
NEW_DAY = date(2024, 3, 6)
OLD_DAY = date(2024, 2, 1)

TOPICS = {
    "diffusion": [
        ("Denoising diffusion models for high resolution image synthesis",
         "We train a latent diffusion model that generates photorealistic images from text prompts."),
        ("Faster sampling for diffusion image generators",
         "A new ODE solver cuts the number of denoising steps of image diffusion models to eight."),
        ("Text-to-image diffusion with layout control",
         "We condition a pretrained image diffusion model on bounding boxes to place objects."),
        ("Video diffusion models with temporal attention",
         "Extending image diffusion models to generate coherent video frames with temporal attention."),
        ("Consistency distillation of latent diffusion models",
         "Distilling a text-to-image diffusion model into a one-step image generator."),
    ],
    "protein": [
        ("Protein structure prediction with language models",
         "A protein language model predicts three-dimensional protein structure from the amino acid sequence."),
        ("Designing enzymes with generative protein models",
         "We generate novel enzyme sequences and verify protein folding and activity in the lab."),
        ("Protein-ligand binding affinity from structure",
         "A graph network over protein pockets predicts how strongly small molecules bind."),
        ("Antibody sequence design with inverse folding",
         "Inverse folding models design antibody sequences for a given protein backbone."),
        ("Scaling laws for protein sequence models",
         "Larger protein language models learn better representations of evolutionary sequence data."),
    ],
    "robots": [
        ("Reinforcement learning for legged robot locomotion",
         "A quadruped robot learns to walk over rough terrain with deep reinforcement learning in simulation."),
        ("Sim-to-real transfer for robotic grasping",
         "Domain randomization lets a robot arm trained in simulation grasp real objects."),
        ("Offline reinforcement learning for robot manipulation",
         "Learning manipulation policies for robot arms from logged demonstrations without online interaction."),
        ("Reward shaping for sparse robot tasks",
         "Shaped rewards speed up reinforcement learning of long-horizon robot assembly tasks."),
        ("Humanoid robot control from human videos",
         "A humanoid robot imitates motions extracted from human videos with a learned controller."),
    ],
    "speech": [
        ("End-to-end speech recognition with conformers",
         "A conformer acoustic model transcribes spoken audio with lower word error rate."),
        ("Low-resource speech recognition with self-supervised audio",
         "Self-supervised audio representations improve automatic speech recognition for rare languages."),
        ("Neural text-to-speech with expressive prosody",
         "A speech synthesis model generates natural prosody for spoken audio from text."),
        ("Speaker diarization in meetings",
         "Who spoke when: a neural model segments meeting audio by speaker."),
        ("Streaming speech translation",
         "Translating spoken audio into text in another language with low latency."),
    ],
}  # fmt: skip
AUTHORS = {
    "diffusion": ["Dana Diffuse", "Ian Image"],
    "protein": ["Petra Protein"],
    "robots": ["Rob Otto", "Lea Legs"],
    "speech": ["Sam Speech"],
}


def paper_id(topic: str, n: int, new: bool) -> str:
    base = {"diffusion": 1, "protein": 2, "robots": 3, "speech": 4}[topic]
    return f"{2403 if new else 2402}.{base}{n:04d}"


def records(topic: str, new: bool, upvotes: int = 0) -> list[PaperRecord]:
    """The topic's papers: NEW ones (listed on NEW_DAY) or OLD ones (on OLD_DAY, titled "(earlier)")."""
    out = []
    for n, (title, abstract) in enumerate(TOPICS[topic]):
        out.append(checked(PaperRecord(
            title=title if new else f"{title} (earlier study)", abstract=abstract, arxiv_id=paper_id(topic, n, new),
            authors=AUTHORS[topic], categories=[{"protein": "q-bio.BM", "robots": "cs.RO", "speech": "eess.AS"}.get(
                topic, "cs.CV")], announced=NEW_DAY if new else OLD_DAY, upvotes=upvotes, source="arxiv",
            featured=[Featured(NEW_DAY, None, upvotes)] if new and upvotes else [])))  # fmt: skip
    return out


def all_records() -> list[PaperRecord]:
    return [r for t in TOPICS for new in (False, True) for r in records(t, new, upvotes=0 if t != "speech" else 9)]


def embed_into(store, encoder) -> None:
    """Write the real model's vectors of every stored paper."""
    with store.read() as conn:
        docs = [d for page in store_vectors.iter_modified(conn) for d in page]
    vecs = encoder.encode([embed_text(d.title, d.abstract) for d in docs])
    rows = [
        (d.id, text_hash(d.title, d.abstract), np.asarray(v, dtype="<f4").tobytes())
        for d, v in zip(docs, vecs, strict=True)
    ]
    with store.transaction() as conn:
        store_vectors.save_vectors(conn, MODEL_NAME, rows)


def load_corpus(store, encoder) -> None:
    import_items(store, all_records())
    embed_into(store, encoder)


@pytest.fixture(scope="session")
def rec_encoder():
    """The real bundled model behind a per-session cache (tests/helpers/search.py)."""
    from tests.helpers.search import CachingEncoder

    return CachingEncoder()
