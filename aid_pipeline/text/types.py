"""Plain data types passed between the text functions (no Dagster, no pandas).

Every offset is a Python ``str`` index. Offsets called ``start``/``end`` index the *normalised* text;
offsets called ``raw_start``/``raw_end`` index the *raw decoded* text. Ends are exclusive.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, overload


class DecodeError(ValueError):
    """Raised when input bytes cannot be turned into text with confidence.

    ``reason`` is a short machine-readable code (``empty``, ``binary``, ``undecodable``,
    ``no_chinese``, ``too_large``); ``detail`` is a sentence a person understands.
    """

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Decoded:
    """Decoded input: ``Decoded(text="援疆", encoding="utf-8", confidence=1.0)``."""

    text: str
    encoding: str  # canonical codec name: utf-8, utf-8-sig, utf-16-le, utf-16-be, gb18030, big5
    confidence: float = 1.0


@dataclass(frozen=True)
class CorruptSpan:
    """A damaged stretch of the raw text and what it was repaired to (``None`` if not recoverable). ``reason``:
    ``mojibake`` (a run of mis-decoded characters), ``undecodable_byte`` (a byte the decoder replaced by U+FFFD) or
    ``damaged_number:<how>`` (a figure whose digits a page's extraction lost: ``援疆资金累计达到.9亿元``; never read as a value)."""

    raw_start: int
    raw_end: int
    raw: str
    repaired: str | None
    recovered: bool
    reason: str = "mojibake"


@dataclass(frozen=True)
class DroppedLine:
    """A raw line removed from the article body (page chrome, bylines, footers ...).

    ``text`` is the line after script conversion and tidying, so metadata can be read from it.
    """

    text: str
    raw_start: int
    raw_end: int
    reason: str  # e.g. share_widget, index_header, byline, footer, copyright, duplicate_title


class Edit(NamedTuple):
    """One change a normalisation step made: ``text[start:end]`` (offsets into the text the step saw) was ``before``
    and became ``after``: ``Edit('pinyin', 1, 6, '(rùn)', '')`` (``潤(rùn)疆`` → ``潤疆``)."""

    step: str
    start: int
    end: int
    before: str
    after: str


class TextEdit(NamedTuple):
    """An ``Edit`` placed in the raw text: ``raw_text[raw_start:raw_end]`` is the stretch the step changed
    (``raw_start == raw_end`` for an insertion): ``TextEdit('pinyin', 1, 6, '(rùn)', '')``."""

    step: str
    raw_start: int
    raw_end: int
    before: str
    after: str


class EditLog(Sequence[TextEdit]):
    """A report's edits in raw offsets, kept as parallel columns (``steps``, ``raw_starts``, ``raw_ends``, ``befores``,
    ``afters``): no object per edit until one is asked for. Reads as a sequence of ``TextEdit``:
    ``EditLog(['pinyin'], [1], [6], ['(rùn)'], [''])[0]`` → ``TextEdit('pinyin', 1, 6, '(rùn)', '')``; ``rows()`` gives
    them as plain tuples, the rows of the edits table."""

    __slots__ = ("steps", "raw_starts", "raw_ends", "befores", "afters")
    __hash__ = None  # type: ignore[assignment]  # mutable

    def __init__(self, steps: list[str] | None = None, raw_starts: list[int] | None = None, raw_ends: list[int] | None = None,
                 befores: list[str] | None = None, afters: list[str] | None = None):
        self.steps: list[str] = steps if steps is not None else []
        self.raw_starts: list[int] = raw_starts if raw_starts is not None else []
        self.raw_ends: list[int] = raw_ends if raw_ends is not None else []
        self.befores: list[str] = befores if befores is not None else []
        self.afters: list[str] = afters if afters is not None else []

    def __len__(self) -> int:
        return len(self.steps)

    @overload
    def __getitem__(self, i: int) -> TextEdit: ...

    @overload
    def __getitem__(self, i: slice) -> list[TextEdit]: ...

    def __getitem__(self, i):
        if isinstance(i, slice):
            return list(self)[i]
        return TextEdit(self.steps[i], self.raw_starts[i], self.raw_ends[i], self.befores[i], self.afters[i])

    def __iter__(self) -> Iterator[TextEdit]:
        return map(TextEdit._make, self.rows())

    def rows(self) -> list[tuple[str, int, int, str, str]]:
        """The edits as plain ``(step, raw_start, raw_end, before, after)`` tuples (Arrow reads each as its struct)."""
        return list(zip(self.steps, self.raw_starts, self.raw_ends, self.befores, self.afters))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, EditLog):
            return self.rows() == other.rows()
        if isinstance(other, (list, tuple)):
            return list(self) == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"EditLog({list(self)!r})"


@dataclass
class Normalised:
    """The normalised article text and its map back to the raw text.

    ``starts[i]:ends[i]`` is the raw span normalised character ``i`` came from, so
    ``raw_span(a, b)`` slices the raw characters behind ``text[a:b]``.
    """

    text: str
    starts: list[int]
    ends: list[int]
    script: str  # original script: simplified / traditional / mixed
    dropped: list[DroppedLine] = field(default_factory=list)
    corrupt_spans: list[CorruptSpan] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)
    edits: EditLog = field(default_factory=EditLog)  # every step's changes in order, in raw offsets

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw ``(raw_start, raw_end)`` behind normalised ``text[start:end]`` (``end > start``)."""
        return self.starts[start], self.ends[end - 1]


@dataclass
class Metadata:
    """What a report says about itself; ``None``/empty when it does not say."""

    title: str | None = None
    subtitle: str | None = None
    publish_date: str | None = None  # ISO date "YYYY-MM-DD"
    publish_time: str | None = None  # "HH:MM:SS" when stated
    source: str | None = None
    reporter: str | None = None
    donor: str | None = None  # canonical donor name from the place lexicon, e.g. 深圳, 山东
    recipients: list[str] = field(default_factory=list)  # canonical recipient names
    donor_province: str | None = None  # the province the donor rolls up to: 湖州 → 浙江, 深圳 → 广东, 山东 → 山东


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int


@dataclass
class Section:
    """A section of the normalised text. ``kind`` is lead / body / appended / caption."""

    ordinal: int
    heading: str | None
    kind: str
    category: str
    start: int
    end: int
    sentences: list[Sentence] = field(default_factory=list)
    heading_start: int | None = None
    heading_end: int | None = None


@dataclass
class Metric:
    """One metric mention; ``surface == text[start:end]``."""

    start: int
    end: int
    surface: str
    value: float
    value_high: float | None
    unit: str
    qualifier: str
    metric_type: str
    sentence_start: int
    sentence_end: int
    donor: str | None = None
    recipient: str | None = None
    year: int | None = None
