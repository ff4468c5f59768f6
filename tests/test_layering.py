"""The layers a newcomer sees are the layers the code has, read from the imports (``ast``, nothing is imported).

    aid_pipeline/text/           the text core: text in, data out
    aid_pipeline/contract/       what the tables promise: vocabularies, Arrow schemas, pandera models, column docs
    aid_pipeline/warehouse/      the warehouse: paths, atomic writes, shards, ledger, lock, inbox, table building
    aid_pipeline/runner/         stages, plan, units, the worker pool
    aid_pipeline/launch.py       what `aid-pipeline run` and the Dask engine call before and around a run
    aid_pipeline/orchestration/  the Dagster layer: assets, checks, sensors, jobs, resources, definitions
    cli.py, deploy/, bench/, evaluation/   the tools on top

Three rules: only the Dagster layer (and cli.py, deploy/, which puts it on Dask or Kubernetes) imports Dagster; a
layer imports only its own and lower layers; no two modules import each other, directly or round a longer loop
(imports inside functions count: they are how a cycle hides). Each rule is shown failing on a small made-up package.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# lowest first; a module may import modules of its own layer or of a lower one
LAYERS = ("text", "contract", "warehouse", "runner", "launch", "orchestration", "tools")
TOOLS = ("cli", "deploy", "bench", "evaluation")
DAGSTER_ALLOWED = ("orchestration", "cli", "deploy")


def modules(root: Path, package: str) -> dict[str, Path]:
    """Every module of ``package`` under ``root``: ``{'aid_pipeline.warehouse.io': Path(…/io.py), …}``."""
    out = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """What module ``name`` imports, anywhere in it (top level or inside functions), as absolute dotted names; a
    ``from pkg import sub`` of a submodule counts as importing ``pkg.sub``."""
    is_pkg = path.name == "__init__.py"
    here = name.split(".") if is_pkg else name.split(".")[:-1]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(here[: len(here) - node.level + 1] + ([node.module] if node.module else []))
            subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in known]
            out.update(subs)
            if len(subs) < len(node.names):
                out.add(base)
    return out


def layer_of(name: str, package: str) -> str:
    """``layer_of('aid_pipeline.warehouse.io', 'aid_pipeline')`` → ``'warehouse'``; the package itself and the tools → ``'tools'``."""
    parts = name.split(".")
    first = parts[1] if len(parts) > 1 else ""
    return first if first in LAYERS else "tools"


def graph(root: Path, package: str) -> dict[str, set[str]]:
    """Module → the modules of ``package`` it imports (a package's ``__init__`` run on the way is not counted)."""
    mods = modules(root, package)
    known = set(mods)
    return {m: {i for i in imports(m, p, known) if i in known and i != m} for m, p in mods.items()}


def dagster_violations(root: Path, package: str) -> list[str]:
    """``'aid_pipeline.warehouse.io imports dagster'`` for every module outside the Dagster layer that imports Dagster."""
    bad = []
    for m, p in modules(root, package).items():
        top = m.split(".")[1] if "." in m else ""
        if top in DAGSTER_ALLOWED:
            continue
        hits = sorted(i for i in imports(m, p, set()) if i.split(".")[0] == "dagster" or i.startswith("dagster_"))
        bad += [f"{m} imports {h}" for h in hits]
    return bad


def upward_imports(root: Path, package: str) -> list[str]:
    """``'aid_pipeline.contract.version (contract) imports aid_pipeline.warehouse.io (warehouse)'`` for every import
    of a higher layer."""
    bad = []
    for m, deps in graph(root, package).items():
        lm = layer_of(m, package)
        for d in sorted(deps):
            ld = layer_of(d, package)
            if LAYERS.index(ld) > LAYERS.index(lm):
                bad.append(f"{m} ({lm}) imports {d} ({ld})")
    return bad


def cycles(root: Path, package: str) -> list[list[str]]:
    """The groups of modules that import each other round a loop (strongly connected components of more than one)."""
    g = graph(root, package)
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):  # Tarjan; the graphs here are a few dozen modules deep at most
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(g[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


# ---- the rules on aid_pipeline -------------------------------------------------------------------


def test_every_layer_is_a_package_whose_docstring_says_what_it_holds():
    for layer in ("text", "contract", "warehouse", "runner", "orchestration"):
        init = ROOT / "aid_pipeline" / layer / "__init__.py"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and len(doc) > 40, f"{init} needs a docstring saying what the package holds"
    assert (ROOT / "aid_pipeline" / "launch.py").exists()
    # nothing is left beside the layers but the tools
    loose = sorted(p.stem for p in (ROOT / "aid_pipeline").glob("*.py") if p.stem not in ("__init__", "launch", *TOOLS))
    assert loose == [], f"modules outside any layer: {loose}"


def test_only_the_dagster_layer_imports_dagster():
    assert dagster_violations(ROOT, "aid_pipeline") == []


def test_layers_import_only_downward():
    assert upward_imports(ROOT, "aid_pipeline") == []


def test_no_two_modules_import_each_other():
    assert cycles(ROOT, "aid_pipeline") == []


def test_the_checker_sees_the_real_imports():
    """A checker that saw no imports would pass every rule: it must see what the modules really import."""
    g = graph(ROOT, "aid_pipeline")
    assert "aid_pipeline.contract.arrow" in g["aid_pipeline.warehouse.io"]
    assert "aid_pipeline.runner.plan" in g["aid_pipeline.orchestration.assets.report_stages"]
    assert "aid_pipeline.warehouse.io" in g["aid_pipeline.orchestration.assets.common"]  # `from ...warehouse import io`
    assert layer_of("aid_pipeline.launch", "aid_pipeline") == "launch"
    assert layer_of("aid_pipeline.cli", "aid_pipeline") == "tools"


# ---- each rule fails on a package that breaks it ---------------------------------------------------


def fake_package(tmp_path: Path, files: dict[str, str]) -> Path:
    """A package ``aid_pipeline`` under ``tmp_path`` with the given modules (``'warehouse/io.py': 'import x'``)."""
    for rel, body in {"__init__.py": "", **files}.items():
        path = tmp_path / "aid_pipeline" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    for folder in {p.parent for p in (tmp_path / "aid_pipeline").rglob("*.py")}:
        (folder / "__init__.py").touch()
    return tmp_path


def test_a_warehouse_module_importing_dagster_is_caught(tmp_path):
    root = fake_package(tmp_path, {
        "warehouse/io.py": "def f():\n    import dagster as dg\n    return dg\n",
        "orchestration/assets.py": "import dagster\nfrom dagster_dask import dask_executor\n",
        "runner/batch.py": "from dagster_k8s import k8s_job_executor\n",
    })
    assert dagster_violations(root, "aid_pipeline") == [
        "aid_pipeline.runner.batch imports dagster_k8s",
        "aid_pipeline.warehouse.io imports dagster",
    ]


def test_an_import_of_a_higher_layer_is_caught(tmp_path):
    root = fake_package(tmp_path, {
        "text/normalise.py": "",
        "contract/version.py": "from ..warehouse import io\nfrom ..text import normalise\n",
        "warehouse/io.py": "from ..contract.version import v\n",
        "runner/plan.py": "from aid_pipeline.launch import launch\n",
        "launch.py": "from .runner import plan\n",
        "orchestration/sensors.py": "def tick():\n    from ..cli import main\n",
        "cli.py": "from .orchestration import sensors\n",
    })
    assert upward_imports(root, "aid_pipeline") == [
        "aid_pipeline.contract.version (contract) imports aid_pipeline.warehouse.io (warehouse)",
        "aid_pipeline.orchestration.sensors (orchestration) imports aid_pipeline.cli (tools)",
        "aid_pipeline.runner.plan (runner) imports aid_pipeline.launch (launch)",
    ]


def test_modules_importing_each_other_are_caught(tmp_path):
    root = fake_package(tmp_path, {
        "warehouse/aggregates.py": "from .switch import manifest_path\n",
        "warehouse/switch.py": "def f():\n    from . import aggregates\n",
        "runner/a.py": "from . import b\n",
        "runner/b.py": "from aid_pipeline.runner import c\n",
        "runner/c.py": "import aid_pipeline.runner.a\n",
        "runner/d.py": "from . import a\n",  # imports into a loop without being on it
    })
    assert cycles(root, "aid_pipeline") == [
        ["aid_pipeline.runner.a", "aid_pipeline.runner.b", "aid_pipeline.runner.c"],
        ["aid_pipeline.warehouse.aggregates", "aid_pipeline.warehouse.switch"],
    ]
