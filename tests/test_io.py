import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from aid_pipeline.warehouse import io


def test_write_frame_uses_the_explicit_schema(tmp_path):
    df = pd.DataFrame({"report_id": ["r"], "raw_text": ["原文"], "text": ["原文"], "offsets": [[0, 1]], "offset_ends": [[1, 2]]})
    path = io.write_frame(df, tmp_path / "texts.parquet", "texts")
    schema = pq.read_schema(path)
    assert schema.names == [f.name for f in io.SCHEMAS["texts"]]
    assert schema.field("offsets").type == pa.list_(pa.int32())


def test_failed_write_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "t.parquet"
    good = pd.DataFrame({"report_id": ["a"], "text": ["x"], "raw_start": [0], "raw_end": [1], "reason": ["r"]})
    io.write_frame(good, path, "dropped_lines")
    before = path.read_bytes()

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(io.pq, "write_table", boom)
    with pytest.raises(OSError):
        io.write_frame(good.assign(text="y"), path, "dropped_lines")
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["t.parquet"]  # no temp file left behind


def test_read_stage_of_nothing_is_an_empty_typed_frame(tmp_path):
    df = io.read_stage(tmp_path, "report_metrics", ["missing"])
    assert df.empty and "surface" in df.columns


def test_stale_temp_files_of_a_killed_write_are_removed(tmp_path):
    (tmp_path / "stages" / "raw_reports").mkdir(parents=True)
    stale = tmp_path / "stages" / "raw_reports" / ".shard-03.parquet.abc123.tmp"  # as versions before TEMP_PREFIX named them
    stale.write_bytes(b"half a file")
    keep = tmp_path / "metrics.parquet"
    keep.write_bytes(b"x")
    assert io.remove_stale_temp_files(tmp_path) == 1
    assert not stale.exists() and keep.exists()


def test_free_text_and_offset_lists_are_written_without_dictionary_pages(tmp_path):
    """Big unique columns stay plain (a dictionary only costs there); repeating codes keep one."""
    import pyarrow.parquet as pq

    from aid_pipeline.warehouse import io

    rows = [{"report_id": f"r{i % 3}", "raw_text": f"第{i}篇原文" * 20, "text": f"第{i}篇" * 20,
             "offsets": list(range(60)), "offset_ends": list(range(1, 61))} for i in range(50)]
    path = io.write_frame(pd.DataFrame(rows), tmp_path / "texts.parquet", "texts")
    meta = pq.ParquetFile(path).metadata.row_group(0)
    encodings = {meta.column(i).path_in_schema: set(meta.column(i).encodings) for i in range(meta.num_columns)}
    dictionary = {"PLAIN_DICTIONARY", "RLE_DICTIONARY"}
    assert encodings["report_id"] & dictionary
    for col in ("raw_text", "text", "offsets.list.element", "offset_ends.list.element"):
        assert not encodings[col] & dictionary, col
    assert pq.read_table(path).to_pylist()[7]["text"] == "第7篇" * 20


def test_the_same_rows_give_the_same_bytes_however_they_are_chunked(tmp_path):
    """An incremental table update splices the old table's slices with new rows: written, it must be
    the file a fresh build of the same rows gives (the texts span several Parquet pages here)."""
    import pyarrow as pa

    texts = [("报告第%d篇。" % i) * 3000 for i in range(60)]
    table = pa.table({"report_id": [f"r{i:03d}" for i in range(60)], "raw_text": texts, "text": texts,
                      "offsets": [list(range(10)) for _ in range(60)], "offset_ends": [list(range(1, 11)) for _ in range(60)]},
                     schema=io.SCHEMAS["texts"])
    spliced = pa.concat_tables([table.slice(0, 7), table.slice(7, 30), table.slice(37, 1), table.slice(38)])
    io.write_table(table, tmp_path / "fresh.parquet")
    io.write_table(spliced, tmp_path / "spliced.parquet")
    assert (tmp_path / "fresh.parquet").read_bytes() == (tmp_path / "spliced.parquet").read_bytes()
