"""Every content rule gives its own exact, located message (file:line:column)."""

from __future__ import annotations

import textwrap

import pytest

from conftest import MINIMAL, TODAY
from generator.cli import main
from generator.pipeline import check

POWER = textwrap.dedent(MINIMAL["powers/shichang.yaml"])


def problems(content_dir, monkeypatch) -> list[str]:
    monkeypatch.chdir(content_dir.parent)
    content, _ = check(content_dir, TODAY)
    return [p.format() for p in content.all_problems()]


def test_minimal_tree_is_clean(tree, monkeypatch):
    assert problems(tree(), monkeypatch) == []


CASES = {
    "missing required field": (
        {"powers/shichang.yaml": POWER.replace("  basis:\n    - law: 《中华人民共和国食品安全法》\n      article: 第三十五条\n", "")},
        ["content/powers/shichang.yaml:1:3: error: 缺少必填字段 basis（设定依据）"],
    ),
    "misspelt key": (
        {"powers/shichang.yaml": POWER.replace("category:", "catgory:")},
        ["content/powers/shichang.yaml:1:3: error: 缺少必填字段 category（职权类型）",
         "content/powers/shichang.yaml:4:3: error: 未知字段 catgory：您是不是要写 category？这里可用的字段有：id、code、name、category、subitems、"
         "basis、implementer、office、level、responsibilities、accountability、time_limit、fee、process、channels、"
         "supervision_phone、status、effective、changes、note"],
    ),
    "wrong enum": (
        {"powers/shichang.yaml": POWER.replace("category: 行政许可", "category: 行政审批")},
        ["content/powers/shichang.yaml:4:13: error: “行政审批”不是有效的职权类型，应为以下之一：行政许可、行政处罚、行政强制、"
         "行政征收、行政给付、行政检查、行政确认、行政奖励、行政裁决、其他行政权力、公共服务"],
    ),
    "impossible date": (
        {"powers/shichang.yaml": POWER + "  effective: 2024-02-30\n"},
        ["content/powers/shichang.yaml:9:14: error: 日期 2024-02-30 不存在，请核对年月日"],
    ),
    "badly written date": (
        {"powers/shichang.yaml": POWER + "  effective: 2024年2月3日\n"},
        ["content/powers/shichang.yaml:9:14: error: 日期格式应为 YYYY-MM-DD，例如 2024-03-01（当前为“2024年2月3日”）"],
    ),
    "promised days above statutory": (
        {"powers/shichang.yaml": POWER + "  time_limit: {statutory_days: 20, promised_days: 30}\n"},
        ["content/powers/shichang.yaml:9:15: error: 承诺时限 30 个工作日超过了法定时限 20 个工作日，承诺时限不得超过法定时限"],
    ),
    "unquoted code with a leading zero": (
        {"powers/shichang.yaml": POWER.replace("code: '0123'", "code: 0123")},
        ["content/powers/shichang.yaml:2:9: error: 职权编码 应为文本：未加引号的 0123 会被读成数字 123，请加引号写成 code: '0123'"],
    ),
    "unquoted number where text is expected": (
        {"departments.yaml": "- id: shichang\n  name: 测试市市场监督管理局\n  region: 市本级\n  phone: 12345\n"},
        ["content/departments.yaml:4:10: error: 服务电话 应为文本，请加引号，例如 phone: '12345'"],
    ),
    "YAML 1.2: NO stays a string": (
        {"powers/shichang.yaml": POWER.replace("name: 食品生产许可", "name: NO")},
        [],
    ),
    "black entry without publication period": (
        {"boards/2026-01.yaml": """\
            id: 2026-01
            title: 2026年第1期红黑榜
            publisher: shichang
            published: 2026-01-10
            entries:
              - id: e1
                board: black
                subject: 某某建筑公司
                subject_kind: 企业
                facts: 拖欠工程款
                status: 公示中
            """},
        ["content/boards/2026-01.yaml:6:5: error: 黑榜条目必须填写 publish_until（公示截止日期）"],
    ),
    "duplicate power id names both places": (
        {"powers/shichang.yaml": POWER + POWER.replace("食品生产许可", "食品经营许可")},
        ["content/powers/shichang.yaml:9:7: error: 权责事项标识 sc-1 重复：已在 content/powers/shichang.yaml:1:7 使用"],
    ),
    "unknown issuer id": (
        {"policies/p1.yaml": """\
            id: p1
            title: 关于支持小微企业发展的若干措施
            issuers: [shichang, fagaiwei, 国务院办公厅]
            issued: 2021-05-01
            status: 有效
            summary: 支持小微企业。
            related_powers: [sc-1, sc-9]
            supersedes: [p0]
            """},
        ["content/policies/p1.yaml:3:21: error: 引用了不存在的部门标识 fagaiwei",
         "content/policies/p1.yaml:7:24: error: 引用了不存在的权责事项标识 sc-9：您是不是要写 sc-1？",
         "content/policies/p1.yaml:8:14: error: 引用了不存在的政策标识 p0"],
    ),
    "policy id differs from file name": (
        {"policies/p1.yaml": "id: p2\ntitle: 标题\nissuers: [shichang]\nissued: 2021-05-01\nstatus: 有效\nsummary: 概述\n"},
        ["content/policies/p1.yaml:1:5: error: 政策标识 p2 应与文件名 p1 相同"],
    ),
    "power file not named after a department": (
        {"powers/jiaotong.yaml": POWER.replace("sc-1", "jt-1")},
        ["content/powers/jiaotong.yaml:1:1: error: 文件名 jiaotong 不是已登记的部门标识：权责事项文件应命名为 <部门标识>.yaml（见 departments.yaml）"],
    ),
    "unknown parent department": (
        {"departments.yaml": "- id: shichang\n  name: 测试市市场监督管理局\n  region: 市本级\n  parent: zhengfu\n"},
        ["content/departments.yaml:4:11: error: 引用了不存在的部门标识 zhengfu"],
    ),
    "duplicate key": (
        {"powers/shichang.yaml": POWER.replace("  status: 有效", "  status: 有效\n  status: 已取消")},
        ["content/powers/shichang.yaml:9:3: error: 字段 status 重复出现，请删除其中一个"],
    ),
    "unmasked person": (
        {"boards/2026-01.yaml": """\
            id: 2026-01
            title: 2026年第1期红黑榜
            publisher: shichang
            published: 2026-01-10
            entries:
              - id: e1
                board: black
                subject: 张三
                subject_kind: 个人
                facts: 违规收费
                publish_until: 2027-01-01
                status: 公示中
            """},
        ["content/boards/2026-01.yaml:8:14: error: 个人对象必须脱敏后公开，例如“张某某”，不能写“张三”"],
    ),
    "ID-card number anywhere": (
        {"powers/shichang.yaml": POWER + "  implementer: 联系人身份证 11010519491231002X\n"},
        ["content/powers/shichang.yaml:9:23: error: 包含身份证号码，公开前必须删除或脱敏"],
    ),
}


@pytest.mark.parametrize("files, expected", CASES.values(), ids=CASES.keys())
def test_rule_messages(tree, monkeypatch, files, expected):
    assert problems(tree(files), monkeypatch) == expected


def test_every_problem_reported_in_one_run(tree, monkeypatch):
    found = problems(tree({
        "powers/shichang.yaml": POWER.replace("category: 行政许可", "category: 许可") + "  effective: 2024-13-01\n",
        "policies/p1.yaml": "id: p1\ntitle: 标题\n",
    }), monkeypatch)
    assert len(found) == 6
    assert {line.split(":")[0] for line in found} == {"content/powers/shichang.yaml", "content/policies/p1.yaml"}


def test_validate_command_exit_status_and_github_format(tree, monkeypatch, capsys):
    content = tree({"powers/shichang.yaml": POWER.replace("category: 行政许可", "category: 许可")})
    monkeypatch.chdir(content.parent)
    assert main(["validate", "--content", "content", "--today", "2026-11-23"]) == 1
    assert capsys.readouterr().out.startswith("content/powers/shichang.yaml:4:13: error: “许可”不是有效的职权类型")
    assert main(["validate", "--content", "content", "--format", "github", "--today", "2026-11-23"]) == 1
    assert capsys.readouterr().out.startswith("::error file=content/powers/shichang.yaml,line=4,col=13::“许可”")
    assert main(["validate", "--content", "nowhere", "--bogus"]) == 2
    content = tree({"powers/shichang.yaml": POWER})
    assert main(["validate", "--content", "content"]) == 0
