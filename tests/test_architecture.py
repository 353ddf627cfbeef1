"""The import graph keeps the layers (docs/architecture.md): data flows one way, and a surface never
imports another surface: what two surfaces share lives below both.

Every import in every module counts, at the top of a file or inside a function."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import paperfeed

PACKAGE = Path(paperfeed.__file__).parent

# each unit (a subpackage or a top-level module of paperfeed) in its layer, lowest first
LAYERS: list[tuple[str, set[str]]] = [
    (
        "foundation",
        {"paperfeed", "settings", "errors", "ids", "clock", "latex", "records", "periods", "logs", "metrics"},
    ),
    ("sources", {"sources"}),
    ("store", {"store"}),
    ("index", {"index"}),
    ("rank", {"rank"}),
    ("services", {"ingest", "library", "actions", "mail", "http", "export"}),
    ("surfaces", {"web", "api", "feeds", "email", "cli", "mcp", "ops"}),
    ("roots", {"app", "scheduler", "__main__", "facade"}),  # facade: paperfeed/__init__'s search/similar
]
LAYER_OF = {unit: i for i, (_, units) in enumerate(LAYERS) for unit in units}
SURFACES = LAYERS[6][1]
ROOTS = LAYERS[7][1]


def _unit(module: str) -> str:
    """``paperfeed.store.papers`` -> ``store``; a name of the package itself (``__version__``) -> ``paperfeed``."""
    parts = module.split(".")
    if len(parts) == 1:
        return parts[0]
    exists = (PACKAGE / parts[1]).is_dir() or (PACKAGE / f"{parts[1]}.py").is_file()
    return parts[1] if exists else "paperfeed"


def import_graph() -> dict[str, dict[str, set[str]]]:
    """unit -> imported unit -> the files that import it (paperfeed's own imports only)."""
    graph: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        module = ".".join(rel.parts)
        package = module.removesuffix(".__init__") if rel.name == "__init__" else module.rsplit(".", 1)[0]
        module = module.removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                if node.module:
                    targets = [".".join([*base, node.module])]
                else:
                    targets = [".".join([*base, alias.name]) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                targets = [node.module or ""]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            for target in targets:
                if target == "paperfeed" or target.startswith("paperfeed."):
                    source = "facade" if module == "paperfeed" else _unit(module)
                    graph[source][_unit(target)].add(str(rel))
    return graph


def test_every_unit_has_a_layer():
    units = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()}
    units = {u for u in units if not u.startswith((".", "_")) or u == "__main__"} - {"data", "__pycache__"}
    assert units - set(LAYER_OF) == set(), "add new modules to LAYERS (and docs/architecture.md)"


def test_data_flows_one_way():
    wrong = [
        f"{unit} -> {target} ({', '.join(sorted(files))})"
        for unit, targets in import_graph().items()
        for target, files in targets.items()
        if target != unit
        and LAYER_OF[target] > LAYER_OF[unit]
        and not (unit == "cli" and target in ROOTS)  # `paperfeed serve` starts the app and its scheduler
    ]
    assert wrong == [], "a lower layer imports a higher one:\n" + "\n".join(wrong)


def test_no_surface_imports_another_surface():
    wrong = [
        f"{unit} -> {target} ({', '.join(sorted(files))})"
        for unit, targets in import_graph().items()
        if unit in SURFACES
        for target, files in targets.items()
        if target in SURFACES and target != unit
    ]
    assert wrong == [], "surfaces share through lower layers, never through each other:\n" + "\n".join(wrong)


def test_the_graph_is_read():
    """The checks above would pass on an empty graph: make sure imports are really found."""
    graph = import_graph()
    assert "store" in graph["web"] and "actions" in graph["api"] and "store" in graph["index"]


def test_package_docstrings_list_their_modules():
    """Each package's docstring names every module in it (``name``), so reading it tells what is where."""
    missing = []
    for init in sorted(PACKAGE.rglob("__init__.py")):
        if "migrations" in init.parts:
            continue
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        for module in sorted(init.parent.glob("*.py")):
            if not module.stem.startswith("_") and f"``{module.stem}``" not in doc:
                missing.append(f"{init.parent.relative_to(PACKAGE.parent)}: {module.stem}")
    assert missing == [], "name these modules in their package's docstring:\n" + "\n".join(missing)
