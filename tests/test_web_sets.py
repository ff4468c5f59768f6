"""Real-style web pages (issue 13): the floors the issue sets, on two sets written blind to the extractor.

tests/data/web_dev  — development set: tune on it.
tests/data/web_dev3 — third development set (issue 13; per-year lists, 分别为 lists, tables as text, 元/人 rates,
                      chrome with numbers, footer dates): tune on it.
tests/data/web_dev4 — fourth development set (issue 13; who the donor is and when a page was published: a donor named
                      only by the publisher or a later paragraph, donor cities, donor groups, venues; English-style,
                      address, footer and relative dates; period phrasing): tune on it.
tests/data/web_test — test set: measure on it, never tune rules against its sentences.
Each set holds ~14 reports as a browser's "save as text" (or "save as .html") gives news and government
pages: page chrome, poster-style short lines, day-first stamps, national and multi-province summaries,
Traditional-script pages. Gold: metrics_<doc>.jsonl (GUIDE format) and meta.json (donor, publish_date,
captions …), written by hand from the text.

Floors (issue 13): metric P and R >= 0.97; donor and publish date right on every report; no body line
typed ``caption`` unless it is a gold caption (a photo caption), so short poster lines keep their figures
(gold chrome lines are left to the chrome check, not counted here).
"""

from functools import lru_cache
from pathlib import Path

import pytest

from aid_pipeline.evaluation.meta import fold
from aid_pipeline.evaluation.metrics import evaluate_metrics, format_metrics_report
from aid_pipeline.warehouse.inbox import InboxFile, partition_key_of, report_id_of
from aid_pipeline.text.segment import _IMAGE_MARKER_RE
from aid_pipeline.runner.stages import QuarantineError, extract_report_metrics, normalise_report, read_raw, section_report

DATA = Path(__file__).resolve().parent / "data"
# Issue 13's floors on the blind sets (2026-12-06). web_test (partly seen): publish date on 13 of 14 reports.
# web_test4 (18 pages, measured blind once at its merge: metric P 0.990 R 0.986, date 18/18, no body line typed
# caption) has one report's donor wrong (17 of 18), not looked at: keep it unseen, so that a later general rule can be
# measured on it without bias. Strict expected failures: the suite goes red the day a floor is met and the marker must go.
# web_test3 was measured blind once (P 0.903 R 0.896), then its misses were read: 51 of 54 metric misses were one
# general gap (a space grouping thousands, 1 200万元), fixed in the number grammar, and a date+publisher stamp without
# a time and 两省 as a donor group were added to metadata. It meets every floor now, but it is a dev set.
BLIND_SHORTFALL = pytest.mark.xfail(strict=True, reason="issue 13 date/donor floor not yet met on this blind set")
# web_test5 was measured blind once (P 0.975 R 0.962, date and donor 18/18, one body line typed caption), then
# opened: a Chinese decimal point (四点二亿元), a space before a decimal point, poster labels over a figure alone on
# its line and a saved page's <h1> heading (tests/test_web_rules5.py). It is a dev set now. So is web_test6, measured
# blind once (P 0.980 R 0.990, donor 18/18, date 13/18: WeChat, weekday-outlet, meta-line and Chinese-numeral stamps).
# web_test7 (18 pages, 196 gold mentions) is BLIND, measured once at main 0dd7411: P 0.985 R 0.974, date and donor
# 18/18, no body line typed caption: every floor of issue 13 met. Its misses are not looked at (its metric report is
# printed without them): keep it so.
SETS = ["web_dev", "web_dev3", "web_dev4", "web_test", "web_test3", "web_test4", "web_test5", "web_test6", "web_test7"]
FLOOR_SETS = ["web_dev", "web_dev3", "web_dev4", "web_test", "web_test3", "web_test4", "web_test5", "web_test6",
              "web_test7"]
DATE_FLOOR_SETS = ["web_dev", "web_dev3", "web_dev4", pytest.param("web_test", marks=BLIND_SHORTFALL), "web_test3",
                   pytest.param("web_test4", marks=BLIND_SHORTFALL), "web_test5", "web_test6",
                   "web_test7"]
# Sets whose files are checked without running a stage on them (a blind set before its one measurement keeps
# the extractor's output unseen); web_test3 stays listed for its file checks.
WELL_FORMED_SETS = ["web_test3", "web_test4", "web_test5", "web_test6", "web_test7"]
# web_dev4 aims at report metadata (donor, date) more than at figures: 14 pages with 108 gold figures
MIN_GOLD = {"web_dev4": 100, "web_test7": 190}
GOLD_KEYS = ["doc", "surface", "value", "value_high", "unit", "qualifier", "metric_type", "note",
             "period", "period_start", "period_end", "part_of", "scope", "donor", "recipient"]
META_KEYS = ["title", "subtitle", "publish_date", "source", "donor", "recipients", "headings", "boilerplate_lines",
             "captions"]
REPORT_SUFFIXES = {".txt", ".htm", ".html"}


def _gold_meta(name: str) -> dict:
    import json

    meta = json.loads((DATA / name / "meta.json").read_text(encoding="utf-8"))
    return {k: v for k, v in meta.items() if not k.startswith("_")}


@lru_cache(maxsize=None)
def _run(name: str) -> dict:
    """Per report file of a set: the normalised row (None when quarantined), its sections and metric rows,
    through the same stage functions the pipeline runs."""
    out = {}
    for p in sorted((DATA / name / "reports").iterdir()):
        if p.suffix.lower() not in REPORT_SUFFIXES:
            continue
        try:
            raw = read_raw(InboxFile(p, report_id_of(p.name), partition_key_of(p.name)))
            norm = normalise_report(raw)
        except QuarantineError as exc:
            out[p.name] = {"quarantined": f"{exc}", "norm": None, "sections": [], "rows": []}
            continue
        sections = section_report(norm)
        rows = [dict(r, doc=p.name) for r in extract_report_metrics(norm, sections)]
        out[p.name] = {"quarantined": None, "norm": norm, "sections": sections, "rows": rows}
    return out


@pytest.mark.parametrize("name", SETS)
def test_every_report_of_the_set_is_read(name):
    got = _run(name)
    assert set(got) == set(_gold_meta(name)), "reports/ and meta.json list different files"
    quarantined = {doc: r["quarantined"] for doc, r in got.items() if r["quarantined"]}
    assert not quarantined, quarantined


@pytest.mark.parametrize("name", FLOOR_SETS)
def test_metric_mentions_found_and_valued(name):
    rows = [r for rep in _run(name).values() for r in rep["rows"]]
    result = evaluate_metrics(rows, DATA / name)
    # the blind set's failure shows its scores only: its misses would invite tuning on its sentences
    report = format_metrics_report(result, verbose=(name not in ("web_test", "web_test4", "web_test7")))
    assert result["n_gold"] >= MIN_GOLD.get(name, 200)
    assert result["precision"] >= 0.97, report
    assert result["recall"] >= 0.97, report


@pytest.mark.parametrize("name", DATE_FLOOR_SETS)
def test_donor_and_publish_date_right_on_every_report(name):
    gold = _gold_meta(name)
    wrong = []
    for doc, rep in _run(name).items():
        norm = rep["norm"] or {}
        date = norm.get("publish_date")
        date = date.isoformat() if hasattr(date, "isoformat") else date
        g = gold[doc]
        if (norm.get("donor") or None) != g["donor"]:
            wrong.append(f"{doc}: donor {norm.get('donor')!r}, gold {g['donor']!r}")
        gold_date = (g["publish_date"] or "")[:10] or None
        if date != gold_date:
            wrong.append(f"{doc}: publish_date {date!r}, gold {g['publish_date']!r}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("name", SETS)
def test_no_body_line_typed_caption_unless_a_photo_caption(name):
    gold = _gold_meta(name)
    wrong = []
    for doc, rep in _run(name).items():
        captions = {fold(c).replace(" ", "") for c in gold[doc].get("captions") or []}
        # page chrome left in a caption section is a chrome miss, not a body line typed caption
        chrome = {fold(c).replace(" ", "") for c in gold[doc].get("boilerplate_lines") or []}
        for sec in rep["sections"]:
            if sec["kind"] != "caption":
                continue
            for line in sec["text"].split("\n"):
                key = fold(line).replace(" ", "")
                if _IMAGE_MARKER_RE.fullmatch(line.strip()):
                    continue  # [图片]: the picture's own place, not a body line
                if line.strip() and key not in captions and key not in chrome:
                    wrong.append(f"{doc}: {line.strip()!r}")
    assert not wrong, "body lines typed caption:\n" + "\n".join(wrong)


def _decoded(path: Path) -> str:
    raw = path.read_bytes()
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


@pytest.mark.parametrize("name", WELL_FORMED_SETS)
def test_unmeasured_blind_set_is_well_formed(name):
    """Every report has a meta entry and a gold file; every gold line has the GUIDE's keys and its surface is in
    the report's Simplified text (OpenCC t2s, pinyin like (rùn) removed), in reading order."""
    import json
    import re

    import opencc

    t2s = opencc.OpenCC("t2s").convert
    pinyin = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")
    root = DATA / name
    reports = sorted(p for p in (root / "reports").iterdir() if p.suffix.lower() in REPORT_SUFFIXES)
    meta = _gold_meta(name)
    assert len(reports) >= 18
    assert {p.name for p in reports} == set(meta), "reports/ and meta.json list different files"
    problems = []
    for p in reports:
        problems += [f"{p.name}: meta lacks {k}" for k in META_KEYS if k not in meta[p.name]]
        gold = root / f"metrics_{p.stem}.jsonl"
        if not gold.exists():
            problems.append(f"{p.name}: no {gold.name}")
            continue
        text = pinyin.sub("", t2s(_decoded(p)))
        rows = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
        pos = 0
        for i, row in enumerate(rows):
            problems += [f"{p.name}#{i}: no {k}" for k in GOLD_KEYS if k not in row]
            if row.get("doc") != p.name:
                problems.append(f"{p.name}#{i}: doc {row.get('doc')!r}")
            if row.get("part_of") is not None and not 0 <= row["part_of"] < len(rows):
                problems.append(f"{p.name}#{i}: part_of {row['part_of']} out of range")
            at = text.find(row.get("surface") or "\0", pos)
            if at < 0:
                problems.append(f"{p.name}#{i}: surface {row.get('surface')!r} not in the text after offset {pos}")
            else:
                pos = at + len(row["surface"])
    stray = {g.name for g in root.glob("metrics_*.jsonl")} - {f"metrics_{p.stem}.jsonl" for p in reports}
    problems += [f"gold file without a report: {g}" for g in sorted(stray)]
    assert not problems, "\n".join(problems)
