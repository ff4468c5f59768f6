"""The domain logic stays free of Dagster: text functions, stages, tables and evaluation import without it."""

import subprocess
import sys

PURE = [
    "aid_pipeline.text.decode", "aid_pipeline.text.convert", "aid_pipeline.text.mojibake", "aid_pipeline.text.normalise",
    "aid_pipeline.text.places", "aid_pipeline.text.metadata", "aid_pipeline.text.segment", "aid_pipeline.text.numbers",
    "aid_pipeline.text.metrics", "aid_pipeline.runner.stages", "aid_pipeline.warehouse.tables", "aid_pipeline.warehouse.inbox", "aid_pipeline.warehouse.io",
    "aid_pipeline.contract.lineage", "aid_pipeline.evaluation.metrics", "aid_pipeline.evaluation.meta",
]


def test_domain_modules_do_not_import_dagster():
    code = "import importlib, sys\n" + "".join(f"importlib.import_module({m!r})\n" for m in PURE) + (
        "bad = sorted(m for m in sys.modules if m == 'dagster' or m.startswith('dagster.'))\n"
        "print(len(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "0"
