"""Independent helpers for the parser tests (deliberately not using lctasks.plan).

``rewrap`` turns the bundled plan into the "re-wrapped" variant a careful
editor would produce: one line per paragraph, page-break splits joined. Its
join rule is written from reading the file, not from the parser: a line is
joined to the line above when that line does not end a sentence, plus the six
breaks that fall right after a 。 inside a paragraph, found by hand:

    51    乡村振兴扎实推进。…220亿元。 | 营业收入过亿元的规模以上农产品加工业企业…
    75    从我市看。…体制机制有待创新。 | 关键时期，考验着我们的信心…
    570   防洪抗旱减灾治理工程。…（聊城段）。 | 加强骨干河道治理，…
    714   加快推进济聊一体化发展。…方面合作。 | 统筹优质医疗资源配置，…
    836   建设诚信聊城。…差异化监管模式。 | 建立健全“政府承诺+社会监督+失信问责”机制…
    1102  促进人口长期均衡发展。…教育成本。 | 合理优化人口抚养比、男女结构比例，…

Inside a 专栏 every line that does not open a category (``名称：``) belongs to
the item above it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

AFTER_FULL_STOP = frozenset({51, 75, 570, 714, 836, 1102})
FIRST_HEADING_LINE = 23  # 第一篇: before it every line is its own paragraph
_HEAD = re.compile(r"^(第[一二三四五六七八九十]+[篇章节] |专栏 ?\d+[：:])")
_CATEGORY = re.compile(r"^[^（()）：:0-9]{1,20}[：:]")
_SENTENCE_END = tuple("。；！？：")


def _ends_sentence(line: str) -> bool:
    s = line.replace("**", "").rstrip()
    while s and s[-1] in "”’）)":
        s = s[:-1]
    return s.endswith(_SENTENCE_END)


def paragraphs(text: str) -> list[tuple[int, str]]:
    """(first line number, joined raw text) of every paragraph / heading / row."""
    out: list[tuple[int, str]] = []
    in_box = False
    footer = False
    joinable = False
    for no, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        s = line.strip()
        if s.startswith("抄送"):
            footer = True
        if footer or no < FIRST_HEADING_LINE or _HEAD.match(s) or "\t" in line:
            out.append((no, line.rstrip("\n")))
            in_box = s.startswith("专栏")
            joinable = False
            continue
        if joinable and not s.startswith("——"):
            prev_no, prev = out[-1]
            if in_box:
                cont = not _CATEGORY.match(s)
            else:
                cont = not _ends_sentence(prev) or no in AFTER_FULL_STOP
            if cont:
                out[-1] = (prev_no, prev + s)
                continue
        out.append((no, s))
        joinable = True
    return out


def rewrap(text: str, *, blank_lines: bool = True) -> str:
    sep = "\n\n" if blank_lines else "\n"
    return sep.join(p for _, p in paragraphs(text)) + "\n"


def cjk_counter(text: str) -> Counter[str]:
    """Multiset of the Chinese characters of a text, with the known repairs
    applied the same way the parser documents them (and→和, 荏/在平→茌平)."""
    text = re.sub(r"(?<=[\u4e00-\u9fff])\s*\band\b\s*(?=[\u4e00-\u9fff])", "和", text)
    text = re.sub(r"荏(?!苒)", "茌", text)
    text = re.sub(r"在平(?=[区县、，]|高铁)", "茌平", text)
    return Counter(c for c in text if unicodedata.category(c) == "Lo")
