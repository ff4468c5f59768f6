"""One function per pipeline stage, turning one report's upstream rows into its rows (no Dagster import).

The Dagster assets, the CLI benchmark and the tests all call these, so what a stage does is
defined once. Each function raises on a real failure; the caller turns that into a quarantine row.

    read_raw(InboxFile)                 -> raw_reports row        (or raises DecodeError)
    normalise_report(raw row)           -> normalised_reports row (text, offsets, metadata)
    section_report(normalised row)      -> report_sections rows
    extract_report_metrics(norm, secs)  -> report_metrics rows
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import os
import re
from bisect import bisect_right
from dataclasses import fields
from operator import itemgetter

import pandas as pd

from ..warehouse.inbox import FileTooLarge, InboxFile, NotRegularFile, open_regular_file, printable_path, read_regular_file, sha256_of
from ..contract.arrow import STAT_COLUMNS
from ..text.decode import decode_bytes, looks_like_html
from ..text.facts import FactInput, fact_fields
from ..text.html import normalise_page
from ..text.metadata import extract_metadata
from ..text.metrics import damaged_number_spans, metric_tuples
from ..text.mojibake import LOST
from ..text.normalise import normalise
from ..text.segment import segment
from ..text.metrics import figure_sentence
from ..text.types import CorruptSpan, DecodeError, DroppedLine

MAX_REPORT_BYTES = 20_000_000


def inbox_fingerprint(file: InboxFile) -> str | None:
    """What tells an unchanged inbox entry from a changed one: its sha256, or for an entry that is never
    read (refused, over the size limit) its kind, size and mtime; None when it is gone.
    ``inbox_fingerprint(InboxFile(Path('seeds/000_x.txt'), …))`` → ``'9f2c…'``."""
    try:
        st = os.stat(file.path, follow_symlinks=False)
    except OSError:
        return None
    if getattr(file, "refused", None) or st.st_size > MAX_REPORT_BYTES:
        return f"unread:{file.refused or 'too_large'}:{st.st_size}:{st.st_mtime_ns}"
    return file_sha256(file.path)


def file_sha256(path, max_bytes: int = MAX_REPORT_BYTES) -> str | None:
    """sha256 of a file read in 1 MiB chunks; None when it is gone, unreadable or over ``max_bytes`` (never read then).

    ``file_sha256('seeds/000_x.txt')`` → ``'9f2c…'``. Used to tell new or changed reports from unchanged ones.
    """
    try:
        fd = open_regular_file(path)  # no symlink followed, no FIFO waited on
        with os.fdopen(fd, "rb") as fh:
            if os.fstat(fh.fileno()).st_size > max_bytes:
                return None
            digest = hashlib.sha256()
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()
    except OSError:
        return None


class QuarantineError(Exception):
    """A report that cannot go through a stage, with a reason code and a sentence for people."""

    def __init__(self, reason: str, detail: str, sha256: str | None = None):
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail, self.sha256 = reason, detail, sha256


REFUSALS = {
    "hidden_file": "its name starts with '.', the mark of a hidden file (editor backup, OS metadata); "
    "rename it without the leading dot if it is a report",
    "folder": "it is a folder: the inbox is read flat, so move the report files it holds into the inbox itself",
    "symlink": "it is a symbolic link, which is not followed (it could point anywhere); copy the file into the inbox",
    "not_a_file": "it is not a regular file (a device, socket or pipe)",
    "bad_file_name": "its name is not valid UTF-8 (the bytes that are not are shown as \\xNN), so it cannot be "
    "stored as an id or path; rename it with a UTF-8 name",
}


def read_raw(file: InboxFile, max_bytes: int = MAX_REPORT_BYTES) -> dict:
    """Read, hash and decode one inbox file: ``read_raw(InboxFile(...))`` → ``{'report_id': …, 'encoding': 'utf-8', …}``."""
    if getattr(file, "refused", None):
        raise QuarantineError(file.refused, f"{printable_path(file.path.name)!r} is not processed: {REFUSALS[file.refused]}")
    try:  # opened without following a link or waiting on a FIFO: the name may have been swapped since listing
        data = read_regular_file(file.path, max_bytes)
    except FileTooLarge as exc:
        raise QuarantineError(
            "too_large", f"{exc.size:,} bytes is over the {max_bytes:,}-byte limit for one report; split it or raise the limit"
        ) from exc
    except NotRegularFile as exc:
        raise QuarantineError(exc.reason, f"{printable_path(file.path.name)!r} is not processed: "
                              f"{REFUSALS[exc.reason]} (found so when opened)") from exc
    except FileNotFoundError as exc:
        raise QuarantineError("file_missing", f"the file disappeared before it could be read: {exc}") from exc
    except OSError as exc:
        raise QuarantineError("unreadable", f"the file could not be read: {exc}") from exc
    digest = sha256_of(data)
    try:
        decoded = decode_bytes(data, max_bytes=max_bytes)
    except DecodeError as exc:
        raise QuarantineError(exc.reason, exc.detail, digest) from exc
    return {
        "report_id": file.report_id,
        "partition_key": file.partition_key,
        "source_path": printable_path(file.path),
        "sha256": digest,
        "n_bytes": len(data),
        "encoding": decoded.encoding,
        "raw_text": decoded.text,
    }


def normalise_report(raw: dict) -> dict:
    """Normalised text, offset map and metadata of one raw row: ``{'raw_text': '網(wǎng)'}`` → ``{'text': '网', 'offsets': [0], …}``."""
    raw_text = raw["raw_text"]
    # a saved web page is read as a browser shows it, its article chosen by a main-text extractor (text.html)
    norm = normalise_page(raw_text) if _is_page(raw_text, raw.get("source_path")) else normalise(raw_text)
    meta = extract_metadata(norm)
    if not norm.text.strip():
        raise QuarantineError("no_article_text", "nothing is left of the report after removing page chrome", raw.get("sha256"))
    corrupt = sorted([*norm.corrupt_spans, *damaged_number_corrupt_spans(norm.text, norm.starts, norm.ends, raw_text)],
                     key=lambda sp: (sp.raw_start, sp.raw_end))
    row = {
        "report_id": raw["report_id"],
        "text": norm.text,
        "offsets": norm.starts,  # fresh lists of this report only
        "offset_ends": norm.ends,
        "script": norm.script,
        "n_chars_raw": len(raw_text),
        "n_chars": len(norm.text),
        "title": meta.title,
        "subtitle": meta.subtitle,
        "publish_date": _parse_date(meta.publish_date),
        "publish_time": meta.publish_time,
        "source": meta.source,
        "reporter": meta.reporter,
        "donor": meta.donor,
        "donor_province": meta.donor_province,
        "recipients": list(meta.recipients),
        "n_corrupt_spans": len(corrupt),
        "corrupt_spans": [_as_dict(s, _CORRUPT_FIELDS) for s in corrupt],
        "dropped_lines": [_as_dict(d, _DROPPED_FIELDS) for d in norm.dropped],
        "edits": norm.edits.rows(),  # (step, raw_start, raw_end, before, after) tuples: Arrow reads each as its struct
    }
    for col in STAT_COLUMNS:
        row[col] = int(norm.stats.get(col[2:], norm.stats.get(col, 0)))
    return row


def damaged_number_corrupt_spans(text: str, starts: list[int], ends: list[int], raw_text: str) -> list[CorruptSpan]:
    """A corrupt span (in raw offsets) per figure whose digits were lost on the way to the file (``metrics.damaged_numbers``):
    listed for the reader, never read as a value. ``damaged_number_corrupt_spans('资金达到.9亿元', [0,1,2,3,4,5,6,7,8], [1,2,3,4,5,6,7,8,9], …)``
    → ``[CorruptSpan(4, 8, '.9亿元', None, False, 'damaged_number:lost_integer_part')]``"""
    out = []
    for a, b, how in damaged_number_spans(text, [("body", 0, len(text), [])]):
        ra, rb = starts[a], ends[b - 1]
        out.append(CorruptSpan(ra, rb, raw_text[ra:rb], None, False, f"damaged_number:{how}"))
    return out


_PAGE_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml")
_BLOCK_TAG = re.compile(r"<(?:p|div|br|body|table|article)\b", re.I)


def _is_page(raw_text: str, source_path: str | None) -> bool:
    """A saved web page: an HTML document, or a file named .html/.htm/.shtml whose text holds block tags (a page
    saved without its <html> head). ``_is_page('<p>援疆</p>', 'a.shtml')`` → True; ``_is_page('援疆', 'a.html')`` → False."""
    if looks_like_html(raw_text):
        return True
    return str(source_path or "").lower().endswith(_PAGE_SUFFIXES) and _BLOCK_TAG.search(raw_text, 0, 20_000) is not None


_CORRUPT_FIELDS = tuple(f.name for f in fields(CorruptSpan))
_DROPPED_FIELDS = tuple(f.name for f in fields(DroppedLine))


def _as_dict(obj, names: tuple[str, ...]) -> dict:
    """``dataclasses.asdict`` of a flat dataclass (fields of str/int/bool/None only), without its deep copy."""
    return {n: getattr(obj, n) for n in names}


def _parse_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def section_report(norm: dict) -> list[dict]:
    """Section rows of one normalised report: ``{'text': '标题\\n正文。'}`` → ``[{'ordinal': 0, 'kind': 'lead', …}]``."""
    text = norm["text"]
    rid = norm["report_id"]
    rows = []
    for sec in segment(text):
        rows.append(
            {
                "report_id": rid,
                "section_id": f"{rid}:s{sec.ordinal:03d}",
                "ordinal": sec.ordinal,
                "heading": sec.heading,
                "kind": sec.kind,
                "category": sec.category,
                "text": text[sec.start : sec.end],
                "start": sec.start,
                "end": sec.end,
                "heading_start": sec.heading_start,
                "heading_end": sec.heading_end,
                "n_sentences": len(sec.sentences),
                "sentence_starts": [s.start for s in sec.sentences],
                "sentence_ends": [s.end for s in sec.sentences],
            }
        )
    return rows


def _none(v):
    """A value read back from Parquet with its null forms (None, pd.NA, NaN) as None."""
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return None
    return v


def extract_report_metrics(norm: dict, section_rows: list[dict]) -> list[dict]:
    """Metric rows of one report, each traced to its section, sentence, and normalised and raw characters."""
    text = norm["text"]
    rid = norm["report_id"]
    starts, ends = norm["offsets"], norm["offset_ends"]
    # the stored section rows as (kind, start, end, sentence bounds), in reading order
    srows = sorted(section_rows, key=lambda r: r["ordinal"])
    spans = [(r["kind"], int(r["start"]), int(r["end"]),
              list(zip(map(int, r["sentence_starts"]), map(int, r["sentence_ends"])))) for r in srows]
    publish = norm.get("publish_date")
    publish_iso = publish.isoformat() if hasattr(publish, "isoformat") else _none(publish)
    metrics = metric_tuples(
        text,
        spans,
        report_donor=_none(norm.get("donor")),
        report_recipients=[] if norm.get("recipients") is None else [str(r) for r in norm["recipients"]],
        publish_date=publish_iso,
    )
    metrics.sort(key=itemgetter(0, 1))
    if LOST in text:
        metrics = [m for m in metrics if not number_touches_lost(text, m[0], m[1])]
    # (section_id, kind, category) of the first section holding each stretch between section bounds
    secs = [(f"{rid}:s{int(r['ordinal']):03d}", r["kind"], r["category"]) for r in srows]
    default = secs[-1] if secs else (None, None, "other")
    points, owners = _first_section_at([(a, b) for _k, a, b, _s in spans])
    owners = [secs[k] if k >= 0 else default for k in owners]
    rows = []
    for i, (a, b, value, value_high, unit, qual, mtype, ss, se, donor, recipient, year) in enumerate(metrics):
        k = bisect_right(points, a) - 1
        section_id, section_kind, category = owners[k] if k >= 0 else default
        rows.append(
            {
                "report_id": rid,
                "metric_id": f"{rid}:m{i:04d}",
                "section_id": section_id,
                "section_kind": section_kind,
                "sentence": figure_sentence(text, a, b, ss, se),
                "surface": text[a:b],
                "start": a,
                "end": b,
                "raw_start": int(starts[a]),
                "raw_end": int(ends[b - 1]),
                "value": float(value),
                "value_high": None if value_high is None else float(value_high),
                "unit": unit,
                "qualifier": qual,
                "metric_type": mtype,
                "category": category,
                "donor": donor,
                "recipient": recipient,
                "year": year,
            }
        )
    _add_fact_fields(rows, metrics, text, spans, publish_iso, _none(norm.get("donor")))
    return rows


_NUMBER_CHARS = frozenset("0123456789.零〇一二两三四五六七八九十百千万亿")


def number_touches_lost(text: str, start: int, end: int) -> bool:
    """True when the metric ``text[start:end]`` holds U+FFFD (a character the decoder or the mojibake repair could
    not read) or starts with a number right after one: its digits may be cut (``8\ufffd4亿元`` is not 4亿元).
    ``number_touches_lost('资金8\ufffd4亿元', 4, 7)`` → ``True``; ``number_touches_lost('\ufffd资金8亿元', 3, 6)`` → ``False``"""
    if LOST in text[start:end]:
        return True
    return start > 0 and text[start - 1] == LOST and text[start] in _NUMBER_CHARS


def _add_fact_fields(rows: list[dict], metrics: list[tuple], text: str, spans: list, publish_iso: str | None,
                     report_donor: str | None) -> None:
    """Period, part_of (a metric_id), scope, donor (most specific) and donor_province of each metric row, in place
    (``aid_pipeline.text.facts``)."""
    if not rows:
        return
    sentences = [s for kind, _a, _b, sents in spans if kind != "caption" for s in sents]
    inputs = [FactInput(a, b, float(value), unit, mtype, ss, se, donor, row["section_kind"])
              for row, (a, b, value, _vh, unit, _q, mtype, ss, se, donor, _r, _y) in zip(rows, metrics)]
    for row, f in zip(rows, fact_fields(text, sentences, inputs, publish_iso, report_donor)):
        row.update(f)
        row["part_of"] = None if f["part_of"] is None else rows[f["part_of"]]["metric_id"]


def _first_section_at(spans: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """The span bounds, sorted, and for each the index of the first ``(start, end)`` span holding the stretch from it
    to the next bound (-1: none); a span holds all of such a stretch or none of it, so the first span holding
    ``pos`` is ``owners[bisect_right(points, pos) - 1]``. ``_first_section_at([(0, 5), (5, 9)]) -> ([0, 5, 9], [0, 1, -1])``

    One sweep over the bounds with a heap of the open spans by index: O((n + bounds) log n) for n spans (it
    looked at every span for every bound: 53 s for the sections of a 400K-character page, issue 16 item 11).
    """
    points = sorted({p for span in spans for p in span})
    by_start = sorted((a, i, b) for i, (a, b) in enumerate(spans) if a < b)
    open_spans: list[tuple[int, int]] = []  # (index, end) of the spans started at or before the bound
    owners = []
    k = 0
    for p in points:
        while k < len(by_start) and by_start[k][0] <= p:
            heapq.heappush(open_spans, (by_start[k][1], by_start[k][2]))
            k += 1
        while open_spans and open_spans[0][1] <= p:  # ended: it holds no later bound either
            heapq.heappop(open_spans)
        owners.append(open_spans[0][0] if open_spans else -1)
    return points, owners
