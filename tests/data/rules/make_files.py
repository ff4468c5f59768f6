"""Write the hand-written rule reports in the encodings under test (see README.md)."""

from pathlib import Path

HERE = Path(__file__).resolve().parent

# 1. GB18030: numbered headings, dateline source, a subtitle after ——, page chrome
GB = """援疆路上写华章
——广东对口支援伽师县工作纪实
分享到：
新华社乌鲁木齐4月10日电（记者 张三 李四）近年来，广东省持续加大对伽师县的支援力度，累计投入援疆资金5亿元，惠及群众2万人。
一、产业援疆
今年广东援疆工作队引进企业12家，带动就业3000人，伽师新梅远销全国。
二、教育援疆
广东选派教师80名，新建学校3所，受益学生1.2万人。
(三)医疗援疆
组织专家义诊20场，完成手术150例。
【编辑：王五】
"""

# 2. Big5 (Traditional): bracketed headings, toneless pinyin (Big5 has no tone letters), a labelled source
BIG5 = """珠水潤(run)天山 穗疏情誼深
2024-06-18 來源:南方日報
【民生援疆】
廣州援疆隊在疏附縣投入資金3200萬元,,新建安居房500套,群眾生活持續改善(run)。
【產業援疆】
疏附縣引進廣州企業8家,建成衛星工廠(EICU)兩個,網(wang)上銷售額達1.5億元。
"""

# 3. UTF-16 (LE with BOM): HTML remnants, a caption in the middle of a section
U16 = """<p>上海援疆助力莎车县发展</p>
发布时间：2024-03-02 09:30
<p>上海对口支援莎车县以来，累计实施援疆项目120个。</p>
产业兴旺 民生改善
莎车县巴旦木产业园由上海援建，现有入驻企业35家，带动当地群众
/p>
就业2000人。&nbsp;园区年产值达8亿元。
图为莎车县巴旦木产业园。
园区还建成冷库4座，仓储面积2万平方米。
"""

# 4. UTF-8 with an appended, unrelated article (a new title and a dateline about other places)
APPENDED = """浙江援疆助力阿克苏地区乡村振兴
来源：浙江日报
浙江援疆指挥部今年在阿克苏地区投入援疆资金6亿元，实施项目45个，温宿县、库车市群众直接受益。
在温宿县，浙江援建的核桃加工厂年产值达2亿元，带动1500户农户增收。阿勒泰地区冬季旅游推介会举办
新华社乌鲁木齐1月5日电 记者从阿勒泰地区获悉，吉林援疆前方指挥部组织冰雪旅游推介活动，吸引游客30万人次。
"""


def _gbk_misaligned(intact: str, lost: str, body: str) -> str:
    """``intact`` + the GBK corruption of ``lost`` + ``body``: the lost character's lead byte is read
    together with the previous character's trail byte (shown as ``?`` + that pair's pinyin, whose
    ``(`` was eaten), the rest one byte late, the last lone byte as ``?``."""
    prev = intact[0].encode("gbk")  # the character before its pinyin annotation
    data = lost.encode("gbk")[1:] + body.encode("gbk")
    out, i = [], 0
    while i + 1 < len(data):
        out.append(data[i : i + 2].decode("gbk"))
        i += 2
    pair = bytes([prev[1], lost.encode("gbk")[0]]).decode("gbk")
    assert pair == "數"  # 當 ae94 + 地 b5d8 → 94b5 = 數 (shù)
    return intact + "?shù)" + "".join(out) + ("?" if i < len(data) else "")


# 5. UTF-8 with mojibake in a Traditional, pinyin-annotated page (as in the seeds)
MOJIBAKE = (
    "山東援疆幹部走訪當地群眾\n"
    "山東援疆幹部深入英吉沙縣，與當地群眾座談，切身體會群眾期盼，聽取意見建議30條。\n"
    "援疆資金讓" + _gbk_misaligned("當(dāng)", "地", "群眾切身") + "感受到溫暖。\n"
)


def main() -> None:
    (HERE / "gb18030_numbered.txt").write_bytes(GB.encode("gb18030"))
    (HERE / "big5_bracketed.txt").write_bytes(BIG5.encode("big5"))
    (HERE / "utf16_html_caption.txt").write_bytes(U16.encode("utf-16"))
    (HERE / "utf8_appended.txt").write_bytes(APPENDED.encode("utf-8"))
    (HERE / "utf8_mojibake.txt").write_bytes(MOJIBAKE.encode("utf-8"))


if __name__ == "__main__":
    main()
