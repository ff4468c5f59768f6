"""The same report in other encodings goes through the whole graph with the encoding recorded and the same figures."""

import dagster as dg
import pandas as pd
from opencc import OpenCC

from aid_pipeline.cli import run_pipeline
from aid_pipeline.text.convert import _in_big5


def test_encoded_copies_give_the_same_metrics(tmp_path, seeds_dir, pipeline_run):
    text_003 = (seeds_dir / "003_c023152330cebe12.txt").read_text(encoding="utf-8")
    text_000 = (seeds_dir / "000_ba42bb2e3b8f6f65.txt").read_text(encoding="utf-8")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "gb_003.txt").write_bytes(text_003.encode("gb18030"))
    (inbox / "u16_000.txt").write_bytes(text_000.encode("utf-16"))  # with BOM
    (inbox / "u8bom_003.txt").write_bytes(text_003.encode("utf-8-sig"))
    traditional = OpenCC("s2t").convert(text_003)
    # a Big5 writer uses the variant Big5 has (峰 for 峯); what Big5 lacks entirely (丨) becomes |
    big5_safe = "".join(t if _in_big5(t) else (s if _in_big5(s) else "|") for t, s in zip(traditional, text_003))
    assert len(traditional) == len(text_003)
    (inbox / "big5_003.txt").write_bytes(big5_safe.encode("big5"))

    result = run_pipeline(str(inbox), str(tmp_path / "wh"), instance=dg.DagsterInstance.ephemeral(), quiet=True)
    assert result.success
    reports = pd.read_parquet(tmp_path / "wh" / "reports.parquet").set_index("report_id")
    assert reports["encoding"].to_dict() == {
        "big5_003": "big5", "gb_003": "gb18030", "u16_000": "utf-16-le", "u8bom_003": "utf-8-sig",
    }
    assert reports.loc["big5_003", "script"] == "traditional"

    def figures(metrics: pd.DataFrame, rid: str) -> list[tuple]:
        m = metrics[metrics["report_id"] == rid]
        return sorted(zip(m["value"], m["unit"]))

    ours = pd.read_parquet(tmp_path / "wh" / "metrics.parquet")
    utf8 = pd.read_parquet(pipeline_run["warehouse"] / "metrics.parquet")
    assert figures(ours, "gb_003") == figures(utf8, "003_c023152330cebe12")
    assert figures(ours, "u8bom_003") == figures(utf8, "003_c023152330cebe12")
    assert figures(ours, "u16_000") == figures(utf8, "000_ba42bb2e3b8f6f65")
    assert figures(ours, "big5_003") == figures(utf8, "003_c023152330cebe12")
