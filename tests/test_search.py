"""Search: the index finds every record that contains the query, in Python and in the browser."""

from __future__ import annotations

import json
import re

import pytest

from conftest import EXAMPLE, TODAY
from generator.pipeline import check, search_docs
from generator.output.search import build_index
from generator.output.search_lookup import offers, records, search
from generator.output.search_text import normalise, query_grams
from generator.output.search_text import _CHARS
from generator.output.search_postings import decode, encode, postings, rebase

# Department names, power names, legal terms, two-character words, document numbers.
QUERIES = ("市场监督管理局", "行政处罚 食品", "政策 小微企业", "住房和城乡建设局", "食品生产", "施工许可", "违法行为", "安全生产", "许可", "罚款",
           "税务", "〔2021〕374号", "374号", "食品安全法", "第三十五条", "行政处罚 食品", "张某某", "消防")


@pytest.fixture(scope="module")
def example_docs():
    _, site = check(EXAMPLE, TODAY)
    return [normalise(d["title"] + " " + d["text"]) for d in search_docs(site)]


def literal(texts: list[str], query: str) -> set[int]:
    terms = [normalise(t) for t in query.split()]
    return {i for i, text in enumerate(texts) if all(t in text for t in terms)}


def test_recall_against_literal_substring_matching(example_site, example_docs):
    total_expected = total_found = 0
    for query in [q for q in QUERIES if " " not in q]:
        expected = literal(example_docs, query)
        found = set(search(example_site / "search", query)) & expected
        total_expected += len(expected)
        total_found += len(found)
        assert found == expected, query
    assert total_expected > 100
    assert total_found / total_expected >= 0.95


def test_queries_find_the_records_people_look_for(example_site):
    rows = records(example_site / "search")

    def titles(query: str) -> list[str]:
        return [rows[i][1] for i in search(example_site / "search", query)]

    assert titles("食品生产")[0].startswith("食品生产许可")
    assert "建筑工程施工许可证核发" in titles("施工许可")[:3]
    assert any("〔2021〕374号" in t or "改革" in t for t in titles("〔2021〕374号"))
    assert titles("市场监督管理局")[0] == "大连市市场监督管理局"


def test_withheld_board_entries_are_not_indexed(example_site):
    everything = "".join(p.read_text("utf-8") for p in (example_site / "search").rglob("*.json"))
    assert "2026-01-black-01" not in everything and "2026-01-black-04" not in everything


def test_grams_and_postings():
    found = postings([["食品 生产"]], ["生产"])
    assert set(found) == {"食", "品", "生", "产", " 食", "食品", "品 ", " 生", "生产", "产 ", "# 生", "#生产", "#产 "}
    assert decode(found["生产"][1], True) == ([0], {0: [4]})  # " 食品 生产 ": 生产 at position 4
    assert query_grams("食品生产") == ["食品", "品生", "生产"]
    assert query_grams("Ａ〔2021〕") == ["a ", " 2", "20", "02", "21", "1 "]
    assert query_grams("〔2021〕374号") == [" 2", "20", "02", "21", "1 ", " 3", "37", "74", "4号"]
    assert decode(encode([0, 5, 36, 1000, 40_000_000]), False) == ([0, 5, 36, 1000, 40_000_000], {})
    assert decode(encode([0, 5], [[3, 30], list(range(9))]), True) == ([0, 5], {0: [3, 30], 5: list(range(9))})
    assert decode(encode([7, 9]) + rebase(encode([40, 41]), 9), False)[0] == [7, 9, 40, 41]


def _index(tmp_path, texts: dict[str, str], codes: dict[str, str] | None = None):
    docs = [{"url": f"{t}/", "title": t, "kind": "政策", "meta": "", "text": text, "code": (codes or {}).get(t, "")}
            for t, text in texts.items()]
    for name, data in build_index(docs).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    return lambda q: [docs[i]["title"] for i in search(tmp_path, q)]


def test_a_query_matches_as_a_phrase(tmp_path):
    find = _index(tmp_path, {"甲": "大政发〔2024〕15号 关于食品安全", "乙": "大政发〔2024〕215号 食品", "丙": "安全食品 2024年 第15号",
                             "丁": "编码 200200001000000", "戊": "编码 200200001000001 和 100000002002000"})
    assert find("〔2024〕15号") == ["甲"]
    assert find("15号") == ["甲", "乙", "丙"]
    assert find("食品安全") == ["甲"]
    assert find("安全 食品") == ["甲", "丙"]  # several words: each a phrase, in any order
    assert find("200200001000000") == ["丁"]


def test_an_exact_code_ranks_its_record_first(tmp_path):
    find = _index(tmp_path, {"关于办理大政发〔2020〕3号的通知": "转发 大政发〔2020〕3号", "乙": "正文"},
                  codes={"乙": "大政发〔2020〕3号"})
    assert find("大政发〔2020〕3号") == ["乙", "关于办理大政发〔2020〕3号的通知"]


def test_a_word_naming_a_filter_offers_it_and_still_matches_text(example_site, example_docs):
    """行政处罚 and 甘井子区 name filters: the results offer the filtered list, and every record
    that shows the word is found (a department's powers show its region)."""
    _, site = check(EXAMPLE, TODAY)
    docs = search_docs(site)
    punishments = set(search(example_site / "search", "行政处罚"))
    assert {i for i, d in enumerate(docs) if d.get("filters", {}).get("category") == "行政处罚"} < punishments
    assert punishments == literal(example_docs, "行政处罚")
    assert set(search(example_site / "search", "甘井子区")) == literal(example_docs, "甘井子区")
    assert offers(example_site / "search", "甘井子区 许可") == [["区域", "甘井子区", "powers/?region=甘井子区"]]
    assert offers(example_site / "search", "行政处罚") == [["职权类型", "行政处罚", "powers/?category=行政处罚"]]
    assert offers(example_site / "search", "政策") == [["类别", "政策", "policies/"]]
    food = search(example_site / "search", "行政处罚 食品")
    assert food and all("行政处罚" in example_docs[i] and "食品" in example_docs[i] for i in food)


def test_traditional_characters_find_simplified_text(example_site):
    simplified = search(example_site / "search", "食品生产许可")
    assert simplified and search(example_site / "search", "食品生產許可") == simplified
    assert search(example_site / "search", "營業執照") == search(example_site / "search", "营业执照")
    fold = json.loads((example_site / "search/fold.json").read_text("utf-8"))
    assert "產产" in fold and "龜龟" not in fold  # only characters whose simplified form the index holds


def test_everyday_words_find_what_they_mean(example_site):
    """The default synonym table (generator/data/synonyms.yaml) ships with the product."""
    rows = records(example_site / "search")

    def titles(query):
        return [rows[i][1] for i in search(example_site / "search", query)]

    assert "开办餐饮店" in titles("开饭店")[:3] and any(t.startswith("食品经营许可") for t in titles("开饭店"))
    assert any("设立" in t and "登记" in t for t in titles("办营业执照"))
    assert "企业开办" in titles("新办企业")[:3]
    assert titles("食品经营许可")[0].startswith("食品经营许可")  # the word itself before its synonyms


def test_a_site_adds_its_own_synonyms_in_search_yaml(tmp_path):
    from conftest import copy_example
    from generator.pipeline import build

    content = copy_example(tmp_path / "content")
    (content / "search.yaml").write_text("synonyms:\n  - [开小馆子, 开办餐饮店]\n", "utf-8")
    build(content, tmp_path / "site", TODAY, log=lambda line: None)
    meta = json.loads((tmp_path / "site/search/meta.json").read_text("utf-8"))
    assert meta["synonyms"]["开小馆子"] == ["开小馆子", "开办餐饮店"]
    assert "开饭店" in meta["synonyms"]  # the default table stays
    rows = records(tmp_path / "site/search")
    urls = [rows[i][0] for i in search(tmp_path / "site/search", "开小馆子")]
    assert "events/kaiban-canyin/" in urls[:3]


def test_search_yaml_errors_are_located(tmp_path, capsys):
    from conftest import copy_example
    from generator.cli import main

    content = copy_example(tmp_path / "content")
    (content / "search.yaml").write_text("synonyms:\n  - 开饭店\n  - [开小馆子, 开办餐饮店]\n", "utf-8")
    assert main(["validate", "--content", str(content), "--today", TODAY.isoformat()]) == 1
    assert capsys.readouterr().out.splitlines()[0].endswith("content/search.yaml:2:5: error: 同义词 应为列表（每一项以“- ”开头）")


def test_closest_matches_when_nothing_matches_exactly(example_site):
    from generator.output.search_lookup import closest

    rows = records(example_site / "search")

    def title(i):
        return rows[i][1]

    assert search(example_site / "search", "食品生产许课") == []  # one wrong character
    assert title(closest(example_site / "search", "食品生产许课")[0]).startswith("食品生产许可")
    assert search(example_site / "search", "许可食品生产") == []  # the order swapped
    assert "食品生产许可" in [title(i) for i in closest(example_site / "search", "许可食品生产")[:3]]


def test_fast_normalisation_equals_nfkc_of_the_whole_text():
    """search_text.normalise goes character by character through a table (many times faster
    on a city's text); it must equal NFKC of the whole text, lower case, folded, for every
    character of the Basic Multilingual Plane beside a letter, a digit, a CJK character and
    a half-width katakana, and on mixed text with combining marks."""
    from generator.output.search_text import _whole, stream

    bad = []
    for n in range(0x10000):
        if 0xD800 <= n < 0xE000:
            continue
        for other in "a字ｶ１ ":
            for text in (chr(n) + other, other + chr(n)):
                if normalise(text) != _whole(text):
                    bad.append(text)
    assert bad == []
    for text in ("食品生產許可 ＡＢＣ１２３ ①②", "Ⅻ ㈠ ℃ ﬁ 丽 ｶﾞ", "e\u0301cole ΟΔΟΣ", "（一）第三十五条，，罚款。"):
        assert normalise(text) == _whole(text)
        assert stream(text) == re.sub(f"[^{_CHARS}]+", " ", _whole(text))


def test_array_streams_equal_stream():
    """The index normalises its texts as arrays of UTF-16 units (search_text.stream_units); every
    text must come out as `stream` makes it, between spaces: every character of the Basic
    Multilingual Plane beside others, characters that become several, combining marks, text
    beyond the plane, and empty texts."""
    from generator.output.search_text import stream, stream_units

    texts = [chr(n) + other for n in range(0x10000) if not 0xD800 <= n < 0xE000 for other in "a字ｶ１ "]
    texts += ["食品生產許可 ＡＢＣ１２３ ①②", "Ⅻ ㈠ ℃ ﬁ 丽 ｶﾞ", "（一）第三十五条，，罚款。", "", " ", "𠀀字𝐀", "a\x00b"]
    units, lengths = stream_units(texts)
    got = units.tobytes().decode("utf-16-le")
    offsets = lengths.cumsum() - lengths
    assert [got[o:o + n] for o, n in zip(offsets.tolist(), lengths.tolist())] == \
        [f" {stream(t.replace(chr(0), ' '))} " for t in texts]
    with_marks = ["e\u0301cole ΟΔΟΣ", "甲"]  # the exact path
    units, lengths = stream_units(with_marks)
    assert units.tobytes().decode("utf-16-le") == "".join(f" {stream(t)} " for t in with_marks)


def test_a_token_the_text_shows_only_once_normalised_is_found(tmp_path):
    """Circled digits are letters and digits once normalised (①②③ → 123): their record keeps the
    token, so a query with something before the run does not filter it away."""
    find = _index(tmp_path, {"甲": "编号①②③", "乙": "编号456"})
    assert find("编号123") == ["甲"]


def test_the_index_cut_over_workers_equals_the_index_cut_in_one_process():
    """From 5,000 documents the postings are cut over forked workers, in shares of equal
    characters, and joined: the files must be the same bytes as one process makes, and as
    two parts joined (slices)."""
    from generator.output.search import index_part, join_index

    words = ["食品经营许可", "违反本条例规定", "0411-39026100", "FW-219901-0062-005", "大政发〔2024〕15号", "罚款",
             "责令改正", "①②③", "Ｅｃｏｌｅ", "滥用职权"]
    docs = [{"url": f"powers/{n}/", "title": f"事项{n} {words[n % 10]}", "kind": "权责事项", "meta": "",
             "code": f"XK-{n:06d}" if n % 3 else "", "filters": {"category": "行政许可"},
             "text": "\n".join(words[(n * k) % 10] * (1 + (n % 7 == 0) * 40) for k in range(1, 4 + n % 5))}
            for n in range(6000)]
    one = join_index([index_part(docs, 0, len(docs), workers=1)])
    assert join_index([index_part(docs, 0, len(docs), workers=2)]) == one
    assert join_index([index_part(docs, 0, 2500), index_part(docs, 2500, len(docs))]) == one


def test_a_rarer_word_in_the_title_ranks_first(tmp_path):
    """Both records show both words; the one whose title shows the rarer word comes first,
    then the one whose title shows the common word, then neither."""
    texts = {"其他事项": "许可 食品安全检查", "许可证办理": "其他 食品安全检查", "食品安全检查": "其他 许可"}
    texts.update({f"许可{n}": "许可" for n in range(6)})  # 许可 is common, 食品安全检查 rare
    find = _index(tmp_path, texts)
    assert find("许可 食品安全检查") == ["食品安全检查", "许可证办理", "其他事项"]
    assert find("食品安全检查 许可") == ["食品安全检查", "许可证办理", "其他事项"]


def test_codes_and_phones_narrow_by_their_letters_and_digits_tokens(tmp_path):
    """A run of letters and digits with something on both sides must be a whole token; one
    that ends the word, the beginning of a token; a run at the word's start could be the end of
    a longer number, so it filters nothing (no record is lost)."""
    from generator.output.search_tokens import token_filters

    assert token_filters("〔2021〕374号") == ["%2021", "%374"]
    assert token_filters("0411-39026100") == [">39026"]
    assert token_filters("FW-219901-0062-005") == ["%219901", "%0062", ">005"]
    assert token_filters("39026100") == []  # could be inside a longer number
    find = _index(tmp_path, {"甲": "电话 0411-39026100", "乙": "电话 0411-390261009", "丙": "电话 0411-8390261001",
                             "丁": "编号 FW-219901-0062-005", "戊": "编号 FW-2199010-0062-005"})
    assert find("0411-39026100") == ["甲", "乙"]
    assert find("39026100") == ["甲", "乙", "丙"]
    assert find("FW-219901-0062-005") == ["丁"]


def test_the_text_chunks_carry_what_a_result_shows(example_site):
    """search/t/ rows: [url, kind, meta, title, texts...]; no document chunks (d/) beside them."""
    from generator.output.search_lookup import records

    meta = json.loads((example_site / "search/meta.json").read_text("utf-8"))
    assert not (example_site / "search/d").exists() and "chunk" not in meta
    rows = json.loads((example_site / "search/t/0.json").read_text("utf-8"))
    assert len(rows) == meta["text_chunk"]
    url, kind, shown_meta, title, *texts = rows[0]
    assert records(example_site / "search")[0] == [url, title, kind, shown_meta]
    assert len(records(example_site / "search")) == meta["docs"]
    first = search_docs(check(EXAMPLE, TODAY)[1])[0]
    assert [url, title, kind, shown_meta] == [first["url"], first["title"], first["kind"], first["meta"]]


def test_light_files_of_their_own_are_fetched_in_one_round():
    """A word's pairs in their shards come first; of its pairs with files of their own, the
    rarest alone (it may leave few records to check by text), then the others — unless
    together they weigh little (meta.together), when one round trip fetches them all."""
    from generator.output.search_lookup import needed_pairs

    values = {0: "0A", 1: 4000, 2: 9000, 3: 6000, 4: 9000, 5: 5000}  # 1, 3, 5 cover every character
    assert needed_pairs(values) == [[0], [1], [3, 5]]
    assert needed_pairs(values, together=15_000) == [[0], [1, 3, 5]]
    assert needed_pairs(values, together=14_999) == [[0], [1], [3, 5]]
