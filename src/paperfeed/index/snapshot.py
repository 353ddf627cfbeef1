"""A snapshot of this machine's search indexes in one file, for a new machine to start from.

    paperfeed index-snapshot save FILE     # on a machine that serves (its indexes held still meanwhile)
    paperfeed index-snapshot load FILE     # on the new machine, before `paperfeed serve`

Building the HNSW graph of a large deployment from the database takes long (15-30 minutes for 1M papers
on 2 cores); copying a snapshot takes as long as the copy. The file is a tar archive: ``snapshot.json``
(format, model, when, papers and vectors held), ``lexical/`` (tantivy's files and its watermark) and
``vectors/`` (the graph and its ids and watermark). A snapshot is of one database: ``load`` checks that
the papers of the graph exist in this machine's database and refuses a snapshot of another, or one of
another model. After loading, the machine follows the database from the snapshot's watermarks
(``follow.py``): only what was added since is indexed.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import tarfile
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..errors import PaperfeedError
from ..settings import Settings
from ..store import Store
from ..store import vectors as store_vectors
from . import engine, forget, index_root

FORMAT = "paperfeed-index-snapshot"
VERSION = 1
MANIFEST = "snapshot.json"
SAMPLE = 200  # graph ids checked against the database on load
SKIP = (".tantivy-writer.lock", ".tantivy-meta.lock")


class SnapshotError(PaperfeedError):
    """A snapshot that cannot be written or loaded here; the indexes are left as they were."""


@dataclass
class Snapshot:
    model: str
    created_at: str
    documents: int  # papers in the lexical index
    vectors: int  # vectors in the graph
    format: str = FORMAT
    version: int = VERSION


def save(settings: Settings, dest: Path) -> Snapshot:
    """Write this machine's indexes to ``dest`` (atomically), holding them still while they are copied."""
    from .job import job_lock

    dest = Path(dest)
    if dest.is_dir() or not dest.parent.is_dir():
        raise SnapshotError(f"{dest}: name a file in an existing folder")
    with job_lock(settings):
        eng = engine(settings)
        if not eng.vectors.path.joinpath("vectors.usearch").exists():
            raise SnapshotError("no vector graph on this machine yet: run `paperfeed index` first")
        with eng.lexical.frozen() as lexical_dir, tempfile.NamedTemporaryFile(dir=dest.parent, delete=False) as tmp:
            info = Snapshot(eng.model, datetime.now(UTC).isoformat(timespec="seconds"), eng.lexical.num_docs,
                            len(eng.vectors))  # fmt: skip
            try:
                with tarfile.open(fileobj=tmp, mode="w", format=tarfile.PAX_FORMAT) as tar:
                    data = json.dumps(asdict(info)).encode()
                    member = tarfile.TarInfo(MANIFEST)
                    member.size = len(data)
                    tar.addfile(member, _bytes(data))
                    for f in sorted(lexical_dir.iterdir()):
                        if f.is_file() and f.name not in SKIP:
                            tar.add(f, arcname=f"lexical/{f.name}")
                    for name in ("vectors.usearch", "vectors-meta.json"):
                        tar.add(eng.vectors.path / name, arcname=f"vectors/{name}")
                tmp.flush()
                os.fsync(tmp.fileno())
            except BaseException:
                os.unlink(tmp.name)
                raise
        os.replace(tmp.name, dest)
    return info


def load(store: Store, settings: Settings, src: Path, *, force: bool = False) -> Snapshot:
    """Make the snapshot at ``src`` this machine's indexes (checked first; see the module's docstring)."""
    from .embed import model_key
    from .job import job_lock

    src = Path(src)
    if not src.is_file():
        raise SnapshotError(f"{src}: {'a folder' if src.is_dir() else 'no such file'}, not an index snapshot")
    try:
        tar = tarfile.open(src, mode="r:*")
    except tarfile.TarError:  # tarfile lists each compression it tried: one line says it better
        raise SnapshotError(f"{src}: not an index snapshot (`paperfeed index-snapshot save` makes one)") from None
    except OSError as exc:
        raise SnapshotError(f"{src}: cannot read it ({exc.strerror or exc})") from None
    with tar:
        info = _manifest(tar, src)
        model = model_key(settings.embed_model)
        if info.model != model:
            raise SnapshotError(f"{src}: vectors of model {info.model!r}; this paperfeed uses {model!r}")
        root = index_root(settings)
        with job_lock(settings):
            if not force and _has_index(root):
                raise SnapshotError(f"{root} already holds indexes: pass --force to replace them")
            with tempfile.TemporaryDirectory(dir=root, prefix=".snapshot-") as tmp:
                names = [m for m in tar.getmembers() if m.name != MANIFEST]
                if any(not m.isfile() or m.name.split("/")[0] not in ("lexical", "vectors") for m in names):
                    raise SnapshotError(f"{src}: unexpected members: not a paperfeed index snapshot")
                tar.extractall(tmp, members=names, filter="data")
                _check_ids(store, Path(tmp) / "vectors" / "vectors-meta.json", src)
                forget(settings)
                for part in ("lexical", "vectors"):
                    old = root / f".old-{part}"
                    shutil.rmtree(old, ignore_errors=True)
                    if (root / part).exists():
                        os.replace(root / part, old)
                    os.replace(Path(tmp) / part, root / part)
                    shutil.rmtree(old, ignore_errors=True)
    return info


def _bytes(data: bytes):
    import io

    return io.BytesIO(data)


def _manifest(tar: tarfile.TarFile, src: Path) -> Snapshot:
    try:
        raw = json.load(tar.extractfile(MANIFEST))
        if raw.get("format") != FORMAT:
            raise ValueError("not a snapshot")
        if raw.get("version") != VERSION:
            raise SnapshotError(f"{src}: snapshot format {raw.get('version')} (this paperfeed reads {VERSION})")
        return Snapshot(**raw)
    except (KeyError, TypeError, ValueError, tarfile.TarError, AttributeError):
        raise SnapshotError(f"{src}: not a paperfeed index snapshot") from None


def _has_index(root: Path) -> bool:
    return (root / "vectors" / "vectors.usearch").exists() or any((root / "lexical").glob("*.store"))


def _check_ids(store: Store, meta_path: Path, src: Path) -> None:
    """Refuse a snapshot whose papers are not in this database (a snapshot of another deployment)."""
    try:
        ids = json.loads(meta_path.read_text())["ids"]
    except (OSError, ValueError, KeyError):
        raise SnapshotError(f"{src}: the graph's ids are unreadable") from None
    sample = random.Random(0).sample(ids, min(SAMPLE, len(ids)))
    with store.read() as conn:
        known = store_vectors.visible(conn, sample)
    if sample and len(known) < 0.9 * len(sample):
        raise SnapshotError(
            f"{src}: {len(sample) - len(known)} of {len(sample)} sampled papers are not in this database: "
            "a snapshot of another deployment"
        )
