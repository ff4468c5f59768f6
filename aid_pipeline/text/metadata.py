"""Read what a report says about itself: title, subtitle, date, source, reporter, donor, recipients.

Sources, in order of trust: labelled chrome lines (``名称: …``, ``发布日期:2025-04-13``,
``2023-09-20 19:32:21 来源:中新网新疆``, ``【来源】南方农村报``, ``【记者】…``) found in ``norm.dropped`` or
left at the head/tail of the text, then the title block at the top of the text. Nothing is guessed:
a field the report does not state stays ``None``/empty (dates are never taken from the article body).

Donor: the most specific donor named first in the title/subtitle (a donor city such as 深圳 or a donor-side
city such as 湖州 beats its own province), else the lead's most-mentioned donor, else the text's (a city of it
when the city is named more often than the province itself); ``None`` for a national or multi-donor summary
(a ``national_cues`` word in the title or lead, three donor provinces named in the title, or ``multi_donor``
in the main text). ``donor_province`` is the province it rolls up to (湖州 → 浙江, 深圳 → 广东). Recipients: recipient places named in
the report (appended articles excluded), restricted to the donor's paired recipients when any are named.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from aid_pipeline.text.chars import HAN
from aid_pipeline.text.datafiles import load_json
from aid_pipeline.text.numbers import CN_DIGITS, parse_chinese
from aid_pipeline.text.facts import _is_venue, time_words
from aid_pipeline.text.patterns import DATE, NAME, SEP, TIME, TWINS
from aid_pipeline.text.places import (donor_places, donor_province, donors_in, place_hits,
                                      recipients_in, recipients_of, specific_donors_in)
from aid_pipeline.text.segment import _BYLINE_RE, _LABEL_RE, is_heading_line, sections_and_places
from aid_pipeline.text.types import Metadata, Normalised

__all__ = ["extract_metadata"]

_DATE: Final = DATE  # year, month, day (patterns.TWINS["date"])
_TIME: Final = TIME  # hours, minutes, seconds
_SEP: Final = SEP  # a label's colon
_DATE_NC: Final = r"\d{4}\s?[-/.年]\s?\d{1,2}\s?[-/.月]\s?\d{1,2}\s?日?"  # _DATE and _TIME without groups (a source
_TIME_NC: Final = r"\d{1,2}[:：]\d{2}(?:[:：]\d{2})?"  # rule's group 1 is the source)
_IP_REGION: Final = "(?:" + "|".join(load_json("page_lines.json")["ip_regions"]["names"]) + ")"
_WEEKDAY: Final = r"(?:星期|周|礼拜)[一二三四五六日天]"
_SIGNER: Final = r"(?:网|报|社|台|局|办|部|委|厅|会|中心|政府|指挥部|客户端)"
# day first, as some sites stamp a page: 21.11.2014 18:28 (day, month, year: groups 2, 1, 3 of _DATE's order)
_DMY: Final = r"(\d{1,2})\.(\d{1,2})\.(\d\d{3})"
_DMY_RES: Final = [
    (re.compile(r"^" + _DMY + r"(?:\s?" + _TIME + r")?\s?$"), 3),
    (re.compile(_DMY + r"(?:\s?" + _TIME + r")?\s?(?:来\s?源|来源于|稿源|作者|编辑|[|丨])"), 1),
]
_MONTHS: Final[dict[str, int]] = load_json("page_lines.json")["month_names"]["names"]
# an English-style stamp (Mar 5, 2024 10:20  来源：河北日报; March 5, 2024): month name, day, year
_MDY_RE: Final = re.compile(r"(?<![A-Za-z])(" + "|".join(m.capitalize() for m in _MONTHS) + r")[a-z]{0,6}\.?\s?(\d{1,2}),?\s?"
                            r"(\d{4})(?!\d)(?:\s?" + _TIME + r")?")
# a page's address with its date in it (…/202306/t20230612_4821.html, …/2015-06/12/content_798.htm, …/art/2023/6/12/…)
_URL_LINE_RE: Final = re.compile(r"(?:https?://|www\.)\S+|\S+\.s?html?(?:\?\S*)?$")
_URL_DATE_RES: Final = [
    re.compile(r"(?<!\d)(20\d\d)(0[1-9]|1[0-2])([0-3]\d)(?!\d)"),
    re.compile(r"/(20\d\d)[-/](\d{1,2})/(\d{1,2})/"),
]
_URL_PRIO: Final = 5  # the last resort: a stamp, a label or a footer the page shows wins
_REL_STAMPS: Final = load_json("page_lines.json")["relative_stamps"]
# 3天前 · 辽宁援疆, 昨天 10:20 | 某某网: a stamp relative to the reading, never a date or a title
_RELATIVE_STAMP_RE: Final = re.compile(
    r"^(?:\d{1,3}\s?(?:" + "|".join(map(re.escape, _REL_STAMPS["units"])) + r")前|"
    + "|".join(map(re.escape, _REL_STAMPS["words"])) + r")(?:\s?\d{1,2}[:：]\d{2})?"
    r"(?:\s?[·•|丨]\s?([\u4e00-\u9fff·]{2,16}))?\s?$")


# (regex, priority) — lower priority number wins
_DATE_RES: Final = [
    (re.compile(r"发布(?:日期|时间)" + _SEP + _DATE + r"(?:\s?" + _TIME + r")?"), 0),
    (re.compile(_DATE + r"(?:\s?" + _TIME + r")?\s?(?:" + _WEEKDAY + r"\s{0,3})?(?:来\s?源|来源于|稿源|作者|编辑|[|丨])"), 1),
    (re.compile(TWINS["date_label"].fast), 2),  # 时间：2023-09-20 at a line's start or after a space or bracket
    (re.compile(r"^" + _DATE + r"(?:\s?" + _TIME + r")?\s?$"), 3),
    # a stamp line with a weekday (2019年07月26日 星期五) or a time and the publisher's name (2022-12-26 09:15:37  湖北日报)
    (re.compile(r"^" + _DATE + r"(?:\s?" + _TIME + r")?\s{0,3}" + _WEEKDAY + r"(?:\s{0,4}[\u4e00-\u9fff·]{2,16})?\s?$"), 3),
    # a WeChat article's head line: the account, the stamp and the region it was posted from (湖州援疆 2024-12-31 18:20 浙江,
    # which normalising glues to 湖州援疆2024-12-31 18:20浙江)
    (re.compile(r"^[\u4e00-\u9fff·]{2,16}\s{0,3}" + _DATE + r"\s?" + _TIME + r"\s{0,3}" + _IP_REGION + r"\s?$"), 3),
    # a stamp inside a short meta line, between the outlet and the byline (浙江日报2025-08-15 07:45记者 叶青)
    (re.compile(r"^(?:[\u4e00-\u9fff·]{1,16}" + _SIGNER + r"\s{0,3})?" + _DATE + r"\s?" + _TIME
                + r"\s{0,3}(?:记者|作者|编辑|通讯员|来源)"), 4),
    # (without the time too, when a space parts them or the date is in digits: 2021-03-09  江苏援疆前方指挥部, which
    # normalising makes 2021-03-09江苏援疆前方指挥部; 2023年3月5日开工仪式 is no stamp)
    (re.compile(r"^" + _DATE + r"(?:\s?" + _TIME + r"\s{0,3}|\s{1,3}|(?<=\d)(?![日\d]))[\u4e00-\u9fff·]{2,16}\s?$"), 3),
    # a date alone in brackets, or after the name of who signs (a footer: 新疆日报 2016年4月7日, （2016年4月7日）)
    (re.compile(r"^[（(]?(?:[\u4e00-\u9fff·]{1,16}" + _SIGNER + r"\s?(?:[|丨]\s?)?)?" + _DATE + r"(?:\s?" + _TIME + r")?[)）]?\s?$"), 3),
    (re.compile(r"(?:来\s?源|稿源|来源于)\s?[:：][^\n]{0,40}?" + _DATE + r"(?:\s?" + _TIME + r")?"), 1),
    (re.compile(r"成文日期" + _SEP + _DATE), 4),
    # a stamp with its time closing a short head line after an account's name: 上海援疆2019-06-24 15:10:26
    (re.compile(r"^[^\d\n]{1,20}?" + _DATE + r"\s?" + _TIME + r"\s?$"), 3),
]
_SOURCE_RES: Final = [
    (re.compile(r"【来\s?源】\s?([^【\[\s]{2,30})"), 0),
    (re.compile(r"(?:来\s?源|稿源|来源于|出处)\s?[:：]\s?([^【\[\s|丨]{2,30})"), 1),
    (re.compile(r"发布机构\s?[:：]\s?([^【\[\s|丨]{2,30})"), 2),
    # a stamp line: date, time and the publisher's name, no label (2022-12-26 09:15:37  湖北日报)
    (re.compile(r"^\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s?\d{1,2}[:：]\d{2}(?:[:：]\d{2})?\s{0,3}|\s{1,3}|(?<=\d)(?![日\d]))"
                r"(?!" + _WEEKDAY + r"\s?$)([\u4e00-\u9fff·]{2,16})\s?$"), 3),
    # a footer naming the outlet before the date (北京日报客户端 | 2024年01月09日)
    (re.compile(r"^([\u4e00-\u9fff·]{1,16}" + _SIGNER + r")\s?[|丨]\s?" + _DATE + r"(?:\s?" + _TIME + r")?\s?$"), 3),
    # a stamp line with a weekday, then the outlet (2017年12月20日 星期三  天津北方网)
    (re.compile(r"^" + _DATE_NC + r"(?:\s?" + _TIME_NC + r")?\s{0,3}" + _WEEKDAY + r"\s{0,4}([\u4e00-\u9fff·]{2,16})\s?$"), 3),
    # a WeChat head line: the account before the stamp (湖州援疆2024-12-31 18:20浙江), or the outlet before a stamp in a
    # meta line (浙江日报2025-08-15 07:45记者 叶青)
    (re.compile(r"^([\u4e00-\u9fff·]{2,16})\s{0,3}" + _DATE_NC + r"\s?" + _TIME_NC + r"(?:\s{0,3}" + _IP_REGION + r"\s?$|\s{0,3}(?:记者|作者|编辑))"), 4),
    # a closing line that is only an outlet's name in brackets: （深圳特区报）
    (re.compile(r"^[（(]([\u4e00-\u9fff]{2,12}(?:报|网|社|台|客户端))[)）]$"), 4),
    # a closing line naming who supplied the text: （黑龙江省援疆前方指挥部供稿）, （来源：…供稿） is read above
    (re.compile(r"^[（(]([\u4e00-\u9fff·]{2,24})供稿[)）]$"), 4),
    # the account after a relative stamp: 3天前 · 辽宁援疆
    (_RELATIVE_STAMP_RE, 4),
]
_SOURCE_STOP_RE: Final = re.compile(r"(?:\d{4}\s?[-/.年]|成文日期|发布日期|发布时间|作者|编辑|责任编辑|记者|浏览|时间|日期|字号|打印).*$")
_TRAILING_COUNT_RE: Final = re.compile(r"\s?\d+$")  # 来源：广州日报 0浏览 → 广州日报0 once 浏览 is cut
_QUOTES: Final = ("“", "\"", "「", "‘", "'")
_QUOTE_CUT_RE: Final = re.compile(r"[“”\"「」‘’']")
_BOOK_TITLE_RE: Final = re.compile(r"《([^《》]{2,20})》")
_SITE_THEN_PAPER_RE: Final = re.compile(r"[\u4e00-\u9fff]{1,10}(?:网|在线|客户端)\s?[-—－]\s?([\u4e00-\u9fff]{2,16})$")
_ORIGINAL_MARK_RE: Final = re.compile(r"\s?[（(]?(?:原创|独家|首发|专稿)[)）]?$")
_UNREADABLE: Final = "\ufffd"
_UNREADABLE_CHARS: Final = ("\ufffd", "?", "？")
# a copyright notice about whose works are whose, which quotes source labels: never itself a source
_NOTICE_RE: Final = re.compile(r"凡(?:本网|本站)?(?:注明|署名)|版权归|所有作品|版权声明|转载")
_WORKS_NOTICE_RE: Final = re.compile(r"凡(?:本网|本站)?(?:注明|署名)|版权归|所有作品")  # = _NOTICE_RE less what an owner's line may add
_COPYRIGHT_RES: Final = [
    re.compile(r"版权所有\s?[:：]?\s?(?:©\s?)?(?:\d{4}(?:\s?[-—]\s?\d{4})?\s?)?([\u4e00-\u9fff（）()·]{2,30})"),
    re.compile(r"(?:^|[\s|丨©])([\u4e00-\u9fff（）()·]{2,30}?)\s?版权所有"),
]
_NOT_OWNER: Final = ("本网", "本站", "网站", "原作者", "作者")
_NAME: Final = NAME  # a person's name
_REPORTER_RES: Final = [
    re.compile(r"【记者】\s?(" + _NAME + r"(?:[\s、，,]{1,2}" + _NAME + r"){0,3})"),
    re.compile(TWINS["reporter"].fast),  # 本报记者 王强 at a line's start or after a space, bracket or paper
    re.compile(r"日电\s?[（(](?:记者\s?)?(" + _NAME + r"(?:[\s、，,]{1,2}" + _NAME + r"){0,3})[)）]"),
]
# a dateline names the agency before the place: 新华社乌鲁木齐4月10日电, 天山网讯, 据中新网报道
_AGENCY: Final = r"([\u4e00-\u9fff]{1,8}?(?:通讯社|社|网|日报|晚报|报|电视台|广播电视台|台|客户端))"
_DATELINE_SOURCE_RES: Final = [
    re.compile(r"^" + _AGENCY + r"[\u4e00-\u9fff]{0,8}?(?:\d{4}年)?\d{1,2}月\d{1,2}日(?:电|讯)"),
    re.compile(r"^" + _AGENCY + r"讯"),
    re.compile(r"^据" + _AGENCY + r"(?:报道|消息)"),
]
_LINES: Final = load_json("page_lines.json")
_NOT_AGENCY: Final = tuple(_LINES["not_agency"]["words"])
_SUBTITLE_DASH: Final = re.compile(r"^[—\-－―─]{1,4}\s?|\s?[—\-－―─]{1,4}$")
_NOT_NAME: Final = ("从", "在", "近日", "日前", "了解", "获悉", "对", "向", "跟随", "走进", "来到", "采访", "看到", "发现")
_REPORTER_STOP: Final = ("通讯员", "摄影", "文", "图", "编辑", "报道")
_TITLE_LABEL_RE: Final = re.compile(r"^(?:名\s?称|标\s?题|题\s?目|原标题)\s?[:：]\s?(.{4,80})$")
_SLOGAN_RE: Final = re.compile(r"^([\u4e00-\u9fff]{3,10}[，,][\u4e00-\u9fff]{3,10})[。！!]")
_CHROME_WORDS: Final = tuple(_LINES["chrome_words"]["words"])
_CHROME_WORDS_RE: Final = re.compile("|".join(map(re.escape, _CHROME_WORDS)))
_CHANNEL_WORDS: Final = ("频道", "栏目", "专题", "专栏", "版")
_FULL_DATE_RE: Final = re.compile(r"\d{4}\s?年\s?\d{1,2}\s?月\s?\d{1,2}\s?日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?!\d)")  # a page's stamp, never in a title
_CRUMB_RE: Final = re.compile(r">>|»|\s>\s?|[\u4e00-\u9fff]>[\u4e00-\u9fff]")  # a breadcrumb (巴州新闻网 >> 援疆专栏), never a title
_BULLET_START: Final = tuple("▲△■□●○◆◇★☆•·►▶")  # a bulleted line is a body line (▲ 全年落实资金22.6亿元), never a title
_NUMBERED_START: Final = re.compile(r"[一二三四五六七八九十]{1,3}[、．.]|[（(][一二三四五六七八九十]{1,3}[)）]")
_HEAD_LINES: Final = 12
# a column banner above the title: a donor's aid column and its short tag (山东援疆 鲁喀同心, 北京援疆 | 京和同心)
_COLUMN_BANNER_RE: Final = re.compile(r"^[\u4e00-\u9fff]{2,4}援疆\s?(?:[|丨]\s?)?[\u4e00-\u9fff]{2,6}$")
_TAIL_LINES: Final = 8


def _valid_date(y: str, m: str, d: str) -> str | None:
    yi, mi, di = int(y), int(m), int(d)
    if 1990 <= yi <= 2100 and 1 <= mi <= 12 and 1 <= di <= 31:
        return f"{yi:04d}-{mi:02d}-{di:02d}"
    return None


def _norm_time(t: str | None) -> str | None:
    if not t:
        return None
    parts = t.replace("：", ":").split(":")
    if len(parts) == 2:
        parts.append("00")
    h, m, s = (int(p) for p in parts)
    if h > 23 or m > 59 or s > 59:
        return None
    return f"{h:02d}:{m:02d}:{s:02d}"


def _is_chrome(line: str) -> bool:
    return bool(_LABEL_RE.match(line)) or _CHROME_WORDS_RE.search(line) is not None  # a chrome word in it


_CN_DATE_RE: Final = re.compile(r"^[（(]?([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,2})月([一二三四五六七八九十]{1,3})日[)）]?$")


def _cn_date(line: str) -> str | None:
    """A line that is only a date in Chinese numerals, as an official text signs off:
    ``_cn_date("二〇二一年九月三日")`` → ``"2021-09-03"``; ``_cn_date("九月三日")`` → ``None``."""
    m = _CN_DATE_RE.match(line)
    if not m:
        return None
    year = "".join(str(CN_DIGITS.get(ch, 0)) for ch in m.group(1))  # ○ and 〇 and 零 are 0
    month, day = parse_chinese(m.group(2)), parse_chinese(m.group(3))
    return _valid_date(year, str(int(month or 0)), str(int(day or 0)))


def _find_date(lines: list[str]) -> tuple[str | None, str | None]:
    best: tuple[int, int, str, str | None] | None = None
    for idx, line in enumerate(lines):
        cn = _cn_date(line)
        if cn is not None and (best is None or (3, idx) < best[:2]):
            best = (3, idx, cn, None)
        for rx, prio in _DATE_RES:
            m = rx.search(line)
            if not m:
                continue
            d = _valid_date(m.group(1), m.group(2), m.group(3))
            if d is None:
                continue
            t = _norm_time(m.group(4)) if rx.groups >= 4 else None
            cand = (prio, idx, d, t)
            if best is None or cand[:2] < best[:2]:
                best = cand
        for rx, prio in _DMY_RES:
            m = rx.search(line)
            if m:
                d = _valid_date(m.group(3), m.group(2), m.group(1))
                if d is not None and (best is None or (prio, idx) < best[:2]):
                    best = (prio, idx, d, _norm_time(m.group(4)))
        m = _MDY_RE.search(line)
        if m:
            prio = 1 if re.match(r"\s?(?:来\s?源|来源于|稿源|作者|编辑|[|丨])", line[m.end():]) else 3
            d = _valid_date(m.group(3), str(_MONTHS[m.group(1).lower()]), m.group(2))
            if d is not None and (best is None or (prio, idx) < best[:2]):
                best = (prio, idx, d, _norm_time(m.group(4)))
        if best is None or best[0] > _URL_PRIO:
            d = _url_date(line)
            if d is not None and (best is None or (_URL_PRIO, idx) < best[:2]):
                best = (_URL_PRIO, idx, d, None)
    return (best[2], best[3]) if best else (None, None)


def _url_date(line: str) -> str | None:
    """The date in a page address shown as a line of the page (a site's path names the day it published):
    ``_url_date("www.sx.gov.cn/zt/202306/t20230612_4821.html")`` → ``"2023-06-12"``; a line that is no address → ``None``."""
    u = _URL_LINE_RE.search(line)
    if not u:
        return None
    for rx in _URL_DATE_RES:
        for m in rx.finditer(u.group()):
            d = _valid_date(m.group(1), m.group(2), m.group(3))
            if d is not None:
                return d
    return None


def _find_source(lines: list[str]) -> str | None:
    best: tuple[int, int, str] | None = None
    for idx, line in enumerate(lines):
        if _NOTICE_RE.search(line):
            continue  # a copyright notice quotes source labels (凡注明“来源：某网”的作品…): it names no source
        for rx, prio in _SOURCE_RES:
            m = rx.search(line)
            if not m or m.group(1) is None or line[max(0, m.start() - 1) : m.start()] in _QUOTES:
                continue
            if m.group(1).startswith(_NOT_AGENCY):
                continue  # （本报）: the paper itself, no source named
            val = _clean_source(_TRAILING_COUNT_RE.sub("", _SOURCE_STOP_RE.sub("", m.group(1))).strip(" :：,，。"))
            if val is None:
                continue
            if best is None or (prio, idx) < best[:2]:
                best = (prio, idx, val)
    return best[2] if best else None


def _clean_source(val: str) -> str | None:
    """The publication a source label names: ``'人民网-《人民日报》'`` → ``'人民日报'`` (a title in 《》 is the
    publication the site took the article from); a name with an unreadable character (``'光明日\ufffd客户端'``) is
    repaired from ``data/sources.json`` when one known name fits, else ``None``; ``None`` when too short."""
    val = _QUOTE_CUT_RE.split(val, 1)[0].strip(" -—:：,，。")
    while val[-1:] in "）)" and val.count("（") + val.count("(") < val.count("）") + val.count(")"):
        val = val[:-1].rstrip(" -—:：,，。")  # （来源：天山网）: the bracket closing the label's line
    titles = _BOOK_TITLE_RE.findall(val)
    if titles:
        val = titles[-1]
    val = _ORIGINAL_MARK_RE.sub("", val)  # 新疆日报原创: the outlet's own article
    site = _SITE_THEN_PAPER_RE.match(val)
    if site and not site.group(1).endswith(_CHANNEL_WORDS):
        val = site.group(1)  # 天山网-新疆日报: the site took it from the paper (人民网-新疆频道 is the site's channel)
    elif site:
        val = val[: site.start(1)].rstrip(" -—－")
    if _UNREADABLE in val or "?" in val or "？" in val:
        repaired = _repair_source(val)
        if repaired is None:
            return None
        val = repaired
    if len(val) < 2:
        return None
    return val


def _repair_source(val: str) -> str | None:
    """``'光明日\ufffd客户端'`` → ``'光明日报客户端'``: the one known outlet (plus a channel suffix) that the name
    matches with each unreadable character as a wildcard, else ``None``."""
    fits = {
        name + suffix
        for name in _known_sources()["outlets"]
        for suffix in _known_sources()["suffixes"]
        if len(name + suffix) == len(val) and all(a == b or b in _UNREADABLE_CHARS for a, b in zip(name + suffix, val))
    }
    return fits.pop() if len(fits) == 1 else None


@lru_cache(maxsize=1)
def _known_sources() -> dict:
    cfg = load_json("sources.json")
    return {"outlets": tuple(cfg["outlets"]), "suffixes": ("", *cfg["channel_suffixes"])}


def _copyright_source(lines: list[str]) -> str | None:
    """Who a ``版权所有`` line names (a site's owner publishes what it does not credit to another source):
    ``_copyright_source(['版权所有：福建省援疆办 闽ICP备0500号'])`` → ``'福建省援疆办'``; a notice about whose works
    are whose (``凡注明“来源：某网”的所有作品，版权归…``) names none."""
    for line in reversed(lines):
        if _WORKS_NOTICE_RE.search(line):
            continue
        for rx in _COPYRIGHT_RES:
            m = rx.search(line)
            if m:
                val = _clean_source(m.group(1))
                if val is not None and not val.startswith(_NOT_OWNER):
                    return val
    return None


def _dateline_source(lines: list[str]) -> str | None:
    """Agency named by a dateline at the start of a paragraph, else ``None``.

    ``_dateline_source(["新华社乌鲁木齐4月10日电（记者 张三）近年来…"])`` → ``"新华社"``; ``本报讯`` names no one → ``None``
    """
    for line in lines:
        for rx in _DATELINE_SOURCE_RES:
            m = rx.match(line)
            if m and not m.group(1).startswith(_NOT_AGENCY):
                return m.group(1)
    return None


def _find_reporter(lines: list[str]) -> str | None:
    for rx in _REPORTER_RES:
        for line in lines:
            m = rx.search(line)
            if not m:
                continue
            if m.group(1).startswith(_NOT_NAME):
                continue  # 记者从…获悉, 记者在…看到: a sentence about the reporter, not a byline
            names = [n for n in re.split(r"[\s、，,]+", m.group(1)) if n]
            out = []
            for n in names:
                if n.startswith(_REPORTER_STOP):
                    break
                out.append(n)
            if out:
                return "、".join(out)
    return None


def _title_block(text_lines: list[str]) -> list[str]:
    """Heading-like lines before the first paragraph (chrome lines skipped); a short line closing on ！ or ？
    (这里是喀什！), or one of at most 40 characters with a ！ or ？ inside and no 。，； (旅游热！塔县接待游客62万人次),
    may be a title; a line with a full stop or a longer one starts the body."""
    out = []
    for line in text_lines[:_HEAD_LINES]:
        exclaimed = (len(line) <= 30 and line[-1:] in "！？!?" and not any(c in line[:-1] for c in "。！？!?")) or (
            len(line) <= 40 and not any(c in line for c in "。，；,;"))  # 旅游热！塔县接待游客62.3万人次: a title's ！ inside
        if (any(c in line for c in "。！？") and not exclaimed) or len(line) > 60:
            break
        if (_is_chrome(line) or _find_date([line])[0] or _FULL_DATE_RE.search(line) or _CRUMB_RE.search(line)
                or _BYLINE_RE.search(line) or "日电" in line or _RELATIVE_STAMP_RE.match(line) or _URL_LINE_RE.search(line)):
            continue  # chrome, a stamp, a breadcrumb or a byline
        if line.startswith(("【", "[")) or line.startswith(_BULLET_START) or _NUMBERED_START.match(line):
            continue  # a section heading (【产业援疆】, 一、…) is not part of the title block
        if is_heading_line(line) == (0, len(line)) or len(line) <= 40:
            out.append(line)
    return out


def _bigrams(s: str) -> set[str]:
    return {s[i : i + 2] for i in range(len(s) - 1) if _CJK2_RE.fullmatch(s[i : i + 2])}


_CJK2_RE: Final = re.compile(f"[{HAN}]{{2}}")


def _most_told(cands: list[str], body: str) -> str | None:
    """The first candidate, past any line whose character pairs the body hardly repeats (< 30 %) when the next line (not a
    ——subtitle) is told by the body (≥ 30 % and half as well again: a site's name above the title): ``_most_told(["新疆自驾游价格联盟",
    "上海援疆干部载誉返沪"], "上海援疆干部人才…")`` → ``"上海援疆干部载誉返沪"``."""
    if len(cands) < 2 or not body:
        return cands[0] if cands else None
    told = _bigrams(body)
    shares = [len(_bigrams(c) & told) / max(1, len(_bigrams(c))) for c in cands]
    for i, c in enumerate(cands[:-1]):
        nxt = cands[i + 1]
        if not (shares[i] < 0.3 and shares[i + 1] >= max(0.3, 1.5 * shares[i]) and not _SUBTITLE_DASH.match(nxt)):
            return c
    return cands[-1]


def _is_time_phrase(line: str) -> bool:
    """Whether a short line is only a time phrase (the opening of a poster run of figures):
    ``_is_time_phrase("新一轮对口援疆以来") -> True``; ``_is_time_phrase("让和田群众在家门口看好病") -> False``."""
    words = time_words(line)
    return len(words) == 1 and words[0].start == 0 and words[0].end >= len(line.rstrip("，,：: "))


def _pick_title(labelled: list[str], dropped_titles: list[str], block: list[str], body: str = "") -> tuple[str | None, str | None]:
    for line in labelled:
        m = _TITLE_LABEL_RE.match(line)
        if m:
            title = m.group(1).strip()
            rest = [b for b in block if b != title and len(b) >= 6 and title not in b]
            sub = rest[0] if rest and block and block[0] == title and len(block) > 1 and block[1] == rest[0] else None
            return title, sub
    cands = [b for b in block if len(b) >= 6]
    if any(not _COLUMN_BANNER_RE.match(b) for b in cands):
        cands = [b for b in cands if not _COLUMN_BANNER_RE.match(b)]  # a column banner is no title when one follows
    if dropped_titles:
        title = dropped_titles[0]
    else:
        # a line repeated in the title block is the page title; otherwise the first substantial line that shares
        # its words with the body (a site's name above the title does not: 新疆自驾游价格联盟)
        seen: dict[str, int] = {}
        for b in cands:
            seen[b] = seen.get(b, 0) + 1
        dup = [b for b in cands if seen[b] > 1]
        title = dup[0] if dup else _most_told(cands, body)
    if title is None:
        return None, None
    sub = None
    if title in cands:
        i = cands.index(title)
        for b in cands[i + 1 :]:
            if b == title or title in b:
                continue
            sub = b
            break
    return title, sub


def extract_metadata(norm: Normalised) -> Metadata:
    """Metadata stated by a normalised report.

    ``extract_metadata(Normalised("鲁疆同心 齐美中华\\n2023-09-20 19:32:21 来源:中新网新疆\\n正文。", [], [], "simplified"))``
    → ``Metadata(title="鲁疆同心 齐美中华", publish_date="2023-09-20", publish_time="19:32:21", source="中新网新疆", donor="山东", …)``
    """
    text = norm.text
    text_lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    dropped = [d.text.strip() for d in norm.dropped if d.text and d.text.strip()]
    head = text_lines[:_HEAD_LINES]
    tail = text_lines[-_TAIL_LINES:] if len(text_lines) > _HEAD_LINES else []
    # only short, label-like lines of the text may carry metadata (never body sentences)
    meta_lines = dropped + [ln for ln in head + tail if len(ln) <= 120 and (_is_chrome(ln) or len(ln) <= 60)]

    date, time = _find_date(meta_lines)
    source = _find_source(meta_lines) or _dateline_source(head) or _copyright_source(meta_lines)
    reporter = _find_reporter(meta_lines + [ln[:60] for ln in head if "日电" in ln[:40]])

    # a repeated short chrome line (字体：) is no title
    dropped_titles = [t for d in norm.dropped if "title" in d.reason
                      for t in [d.text.strip()] if len(t) >= 6 and not _is_chrome(t)]
    block = _title_block(text_lines)
    body = "".join(ln for ln in text_lines[: _HEAD_LINES + 8] if len(ln) > 30 and ln not in block)[:1500]
    title, subtitle = _pick_title(dropped + head, dropped_titles, block, body)
    if subtitle is not None:
        subtitle = _SUBTITLE_DASH.sub("", subtitle).strip() or None
    if subtitle is not None and _is_time_phrase(subtitle):
        subtitle = None  # 新一轮对口援疆以来 opening a poster run: the body's first line, no subtitle
    if subtitle is None and text_lines:
        m = _SLOGAN_RE.match(text_lines[0])
        if m and not re.search(r"\d", m.group(1)):
            subtitle = m.group(1)

    # main article text: appended articles and captions left out
    sections, hits = sections_and_places(text)  # kinds and spans only
    main = "\n".join(text[s.start : s.end] for s in sections if s.kind != "appended") or text
    lead = "\n".join(text[s.start : s.end] for s in sections if s.kind == "lead")[:400]

    main_places = hits if hits is not None and main == text else place_hits(main)  # donors and recipients
    # the page's own lines about itself (source, byline, column), never a body sentence
    publisher = [ln for ln in meta_lines if ln not in (title, subtitle) and not any(c in ln for c in "。！？")]
    donor = _pick_donor(" ".join(x for x in (title, subtitle) if x), lead, main_places, main, publisher)
    mentioned = _ordered(h[2] for h in main_places)  # = recipients_in(main)
    recipients = mentioned
    own: list[str] = []
    if donor is not None:
        paired = set(recipients_of(donor))
        own = [r for r in mentioned if r in paired]
        if own:
            recipients = own
    if not own:
        # no pairing to go by: the places the title or lead are about, not every place named in passing
        headline = recipients_in(" ".join(x for x in (title, subtitle, lead) if x))
        if headline:
            recipients = [r for r in mentioned if r in headline] or headline
    return Metadata(
        title=title,
        subtitle=subtitle,
        publish_date=date,
        publish_time=time,
        source=source,
        reporter=reporter,
        donor=donor,
        recipients=recipients,
        donor_province=donor_province(donor),
    )


def _prefer_city(cands: list[str]) -> list[str]:
    """深圳 before 广东, 湖州 before 浙江 when both are named: a donor city is more specific than its province.
    ``_prefer_city(["浙江", "湖州"])`` → ``["湖州"]``"""
    provinces = {donor_province(c) for c in cands if donor_province(c) != c}
    return [c for c in cands if c not in provinces] or cands


def _ordered(values) -> list[str]:
    """Distinct non-None values in order of first appearance (as ``donors_in``/``recipients_in`` list them)."""
    return list(dict.fromkeys(v for v in values if v is not None))


_PLACES: Final = load_json("places.json")
_NATIONAL: Final = tuple(_PLACES.get("national_cues", ()))
# a group of donor provinces named by its size: 四省市, 四个对口省市, 3个援疆省市, 多个省市 (19 is a national cue)
# a set of donor provinces named as a group: 四省市, 19个援疆省市, 两省 (not 两省区: 新疆西藏两省区 are recipients)
_GROUP_OF_DONORS_RE: Final = re.compile(
    r"(?:[两三四五六七八九十多几]|\d{1,2})个?(?:对口|援疆|对口援疆|支援)?(?:省市|省份|省区市|省(?![区委级政长]))")
_FIRST_SENTENCE_RE: Final = re.compile(r"[^。！？!?\n]+")
_MULTI: Final = _PLACES.get("multi_donor", {})
_GROUP_CUES: Final = tuple(_PLACES.get("group_cues", ()))
_ATTR: Final = load_json("attribution.json")
_AID_MARKERS: Final = tuple(_ATTR["aid_markers"])
_AID_WINDOW: Final = int(_ATTR["aid_window"])
_FIGURE_RE: Final = re.compile(r"\d")


def _title_donors(title: str) -> list[str]:
    """Donors a title names, a place named only as the venue left out:
    ``_title_donors("闽昌产业合作对接会在福州举行")`` → ``["福建"]``."""
    return _ordered(d for s, e, d, _ent in donor_places(title) if not _is_venue(title, s, e))


def _publisher_donor(lines: list[str]) -> str | None:
    """The donor a page's publisher lines name as the giver (a source, byline or column: ``来源：江苏省援疆前方指挥部``,
    ``苏州援疆 | 工作动态``): a donor place followed closely by an aid word, when they name one donor province only.
    ``_publisher_donor(["发布时间：2024-03-05  来源：江苏省援疆前方指挥部"])`` → ``"江苏"``; ``["来源：天津日报"]`` → ``None``."""
    found = [d for ln in lines for s, e, d, _ent in donor_places(ln)
             if any(w in ln[e:e + _AID_WINDOW] for w in _AID_MARKERS)]
    if len({donor_province(d) for d in found}) != 1:
        return None
    preferred = _prefer_city(_ordered(found))
    return preferred[0] if preferred else None


def _opening(main: str) -> str:
    """The body's opening paragraph: the first one of 40 characters or more that states a figure (a scene set before
    the account, with no figure, is passed over): ``_opening("走进社区，老人们在下棋……（40字）\n工作队安排资金16.8亿元……")``
    → the second paragraph."""
    long = [ln for ln in main.split("\n") if len(ln.strip()) >= 40 and not _URL_LINE_RE.search(ln)]
    return next((ln for ln in long if _FIGURE_RE.search(ln)), long[0] if long else "")


def _pick_donor(title: str, lead: str, main_places: list[tuple[int, str | None, str | None]],
                main: str = "", publisher: list[str] | None = None) -> str | None:
    """The report's donor, most specific: ``_pick_donor("湖州市援疆指挥部：…", "", [])`` → ``"湖州"``;
    ``_pick_donor("19个援疆省市…", "", [])`` → ``None``. ``publisher``: the page's source, byline and column lines,
    read when neither the title nor the body's opening names a donor (``来源：江苏省援疆前方指挥部``)."""
    if any(w in title for w in _NATIONAL) or _GROUP_OF_DONORS_RE.search(title):
        return None  # a national or multi-donor summary (四省市五年投入…): per-metric donors only
    named = _title_donors(title) if title else []
    if len({donor_province(c) for c in named}) >= 3:
        return None  # the title names three donor provinces or more
    cands = _prefer_city(named)
    if cands:
        return cands[0]  # a donor in the title beats a national cue in the lead (位居19个援疆省市前列)
    if any(w in title for w in _GROUP_CUES):
        return None  # 援疆省市合力推动喀什…: the donors as a group, none named
    if any(w in lead for w in _NATIONAL):
        return None
    lead_body = "\n".join(ln for ln in lead.split("\n") if ln.strip() and ln.strip() not in title)
    first = _FIRST_SENTENCE_RE.match(lead_body)
    if first:
        n_named = len({donor_province(c) for c in specific_donors_in(first.group(0))})
        if n_named >= 3 or (n_named >= 2 and _GROUP_OF_DONORS_RE.search(first.group(0))):
            return None  # the lead opens on three donor provinces or more (上海、广东、山东、深圳四个对口省市…), or on
            # two named as a group (浙江、湖北两省共向博州投入…)
    opening = _opening(main)
    if opening and not donors_in(opening):
        # neither the title nor the opening paragraph names a donor: a recipient's or a national account, unless the
        # page's publisher is a donor's aid office (来源：江苏省援疆前方指挥部)
        return _publisher_donor(publisher or [])
    counts: dict[str, int] = {}
    order = _ordered(h[1] for h in main_places)  # = donors_in(main)
    for _, donor, _ in main_places:
        if donor:
            counts[donor] = counts.get(donor, 0) + 1
    if _multi_donor(counts):
        return None
    lead_c = _prefer_city(donors_in(lead)) if lead else []
    pool = lead_c or _prefer_city(order)
    if not pool:
        return None
    entity = max(pool, key=lambda d: (counts.get(d, 0), -order.index(d) if d in order else 0))
    return _city_of(entity, main) if main else entity


def _multi_donor(counts: dict[str, int]) -> bool:
    """Whether donor mentions spread over ``min_families`` provinces or more, none holding ``dominant_share`` of them:
    ``_multi_donor({"北京": 3, "上海": 3, "广东": 2})`` → ``True``."""
    fam: dict[str, int] = {}
    for d, n in counts.items():
        p = donor_province(d) or d
        fam[p] = fam.get(p, 0) + n
    if len(fam) < int(_MULTI.get("min_families", 3)):
        return False
    return max(fam.values()) < float(_MULTI.get("dominant_share", 0.5)) * sum(fam.values())


def _city_of(entity: str, main: str) -> str:
    """A donor-side city of ``entity`` named in the main text more often than the entity's own names, else the
    entity: ``_city_of("浙江", "湖州援疆……湖州市援疆指挥部")`` → ``"湖州"``."""
    counts: dict[str, int] = {}
    for _s, _e, specific, ent in donor_places(main):
        if ent == entity:
            counts[specific] = counts.get(specific, 0) + 1
    if not counts:
        return entity
    best = max(counts, key=lambda c: counts[c])
    return best if best != entity and counts[best] > counts.get(entity, 0) else entity
