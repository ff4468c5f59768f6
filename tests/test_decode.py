"""decode_bytes: encodings detected from text we encode ourselves, and every refusal reason."""

import codecs

import pytest

from aid_pipeline.text.decode import decode_bytes
from aid_pipeline.text.types import DecodeError

SIMP = "深圳援疆工作始终坚持以人民为中心的发展思想，累计投入援疆资金420余万元，支持新建中学1所，新增学位3000个。"
TRAD = "山東省對口支援喀什地區工作綜述：累計實施鄉村振興項目300餘個，受益群眾達1.6萬人，有力助推了受援地經濟社會發展。"


@pytest.mark.parametrize(
    "text,codec,expected",
    [
        (SIMP, "gb18030", "gb18030"),
        (SIMP, "gbk", "gb18030"),
        (TRAD, "gb18030", "gb18030"),
        (TRAD, "big5", "big5"),
        (SIMP, "utf-8", "utf-8"),
        (TRAD, "utf-8", "utf-8"),
    ],
)
def test_legacy_and_utf8(text, codec, expected):
    d = decode_bytes(text.encode(codec))
    assert d.encoding == expected
    assert d.text == text
    assert 0.5 <= d.confidence <= 1.0


@pytest.mark.parametrize(
    "bom,codec,name",
    [(codecs.BOM_UTF8, "utf-8", "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be")],
)
def test_boms_are_used_and_stripped(bom, codec, name):
    d = decode_bytes(bom + TRAD.encode(codec))
    assert d.encoding == name
    assert d.text == TRAD  # no BOM left


def test_file_cut_inside_last_character_still_decodes():
    data = SIMP.encode("gb18030")[:-1]
    d = decode_bytes(data)
    assert d.encoding == "gb18030" and SIMP.startswith(d.text) and len(d.text) == len(SIMP) - 1
    d8 = decode_bytes(SIMP.encode("utf-8")[:-2])
    assert d8.encoding == "utf-8" and SIMP.startswith(d8.text)


@pytest.mark.parametrize(
    "data,reason",
    [
        (b"", "empty"),
        (b" \n\t \r\n", "empty"),
        (codecs.BOM_UTF8 + b"  \n", "empty"),
        (bytes(range(256)) * 8, "binary"),
        (b"abc\x00def" * 10, "binary"),
        (b"\x81\x30\xff\xfe\xa0" * 50, "undecodable"),
        # a UTF-16 BOM and one stray byte: not a one-character report
        (b"\xff\xfe\xfa\x00\x81", "undecodable"),
        (codecs.BOM_UTF16_BE + SIMP.encode("utf-16-be") + b"\x00", "undecodable"),
        # no Chinese at all: not a report this pipeline reads
        (b"Quarterly report: revenue grew 12% to 5 million.\n" * 5, "no_chinese"),
        (b"  <html lang='zh'><p>x</p></html>", "no_chinese"),
    ],
)
def test_refusals(data, reason):
    with pytest.raises(DecodeError) as exc:
        decode_bytes(data)
    assert exc.value.reason == reason
    assert exc.value.detail


def test_too_large():
    with pytest.raises(DecodeError) as exc:
        decode_bytes(b"a" * 101, max_bytes=100)
    assert exc.value.reason == "too_large"


def test_html_fragment_inside_report_is_not_an_html_page():
    d = decode_bytes("被当地群众交/p>\n口称赞。".encode())
    assert d.encoding == "utf-8" and "/p>" in d.text


def test_short_ambiguous_legacy_bytes_are_refused_not_guessed():
    # two characters of GB18030 that also decode to common Big5 characters: no confident choice
    with pytest.raises(DecodeError) as exc:
        decode_bytes("国家".encode("gb18030"))
    assert exc.value.reason == "undecodable"


def test_seeds_are_utf8(seeds_dir):
    for path in sorted(seeds_dir.glob("*.txt")):
        assert decode_bytes(path.read_bytes()).encoding == "utf-8"


def test_saved_web_page_decodes_and_is_told_apart_from_a_text():
    from aid_pipeline.text.decode import looks_like_html

    d = decode_bytes("<!DOCTYPE html><html><body><p>援疆</p></body></html>".encode())
    assert d.encoding == "utf-8" and looks_like_html(d.text)
    gb = decode_bytes(f"<html><head><meta charset='gb2312'></head><body><p>{SIMP}</p></body></html>".encode("gb18030"))
    assert gb.encoding == "gb18030" and SIMP in gb.text
    assert not looks_like_html(SIMP + "<p>x</p>")


def test_odd_utf16_body_says_why():
    with pytest.raises(DecodeError) as exc:
        decode_bytes(b"\xff\xfe\xfa\x00\x81")
    assert "odd" in exc.value.detail and "3 bytes" in exc.value.detail
