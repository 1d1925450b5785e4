"""boards/<issue_id>.yaml: one red/black board issue (红黑榜 期次) and its entries."""

from __future__ import annotations

from datetime import date
from typing import Literal, Optional

from pydantic import model_validator
from pydantic_core import PydanticCustomError

from generator.kinds.text import shown_text
from generator.content import personal_data
from generator.kinds.sheet import SheetColumns
from generator.kinds.base import (ChartSpec, CreditCode, FacetSpec, Figures, IsoDate, Kind, ListSpec, PartCount, Record,
                                  RecordId, Reference, Text, label)

BOARD_NAMES = {"red": "红榜", "black": "黑榜"}


class Rectification(Record):
    deadline: Optional[IsoDate] = label("整改期限")
    measures: Optional[str] = label("整改措施")
    completed: Optional[IsoDate] = label("整改完成日期")


class BoardEntry(Record):
    id: RecordId = label("条目标识", "全站唯一", required=True)
    board: Literal["red", "black"] = label("榜单", "red 红榜（表扬）或 black 黑榜（曝光）", required=True)
    subject: Text = label("对象", "单位、企业，或脱敏后的个人（如 张某某）", required=True)
    subject_kind: Literal["部门", "单位", "企业", "个人"] = label("对象类型", required=True)
    credit_code: Optional[CreditCode] = label("统一社会信用代码", "18 位，仅限组织")
    region: Optional[str] = label("所属区域")
    facts: Text = label("事实情况", required=True)
    basis: Optional[str] = label("依据")
    outcome: Optional[str] = label("处理结果")
    publish_until: Optional[IsoDate] = label("公示截止日期", "黑榜必填：公示期最后一天")
    status: Literal["公示中", "已整改", "已撤销"] = label("状态", required=True)
    rectification: Optional[Rectification] = label("整改情况")

    @model_validator(mode="after")
    def black_needs_period(self) -> "BoardEntry":
        if self.board == "black" and self.publish_until is None:
            raise PydanticCustomError("black_without_period", "黑榜条目必须填写 publish_until（公示截止日期）", {})
        return self

    def withheld_reason(self, today: date) -> str | None:
        """Why this entry must not be published on `today`, or None if it may be."""
        if self.status == "已撤销":
            return "已撤销"
        if self.publish_until is not None and self.publish_until < today:
            return f"公示期已于 {self.publish_until.isoformat()} 结束"
        return None


class BoardIssue(Record):
    id: RecordId = label("期次标识", "例如 2023-03，与文件名相同", required=True)
    title: Text = label("标题", "例如 2023年第3期优化营商环境红黑榜", required=True)
    publisher: Text = label("发布机关", "已登记部门写部门标识，登记册以外的机关写中文全称", required=True)
    published: IsoDate = label("发布日期", required=True)
    entries: list[BoardEntry] = label("条目", required=True)


def _publish(issue: BoardIssue, today: date) -> tuple[BoardIssue, list[tuple[tuple, str]]]:
    """The issue as it may be published on `today`, and the entries held back (path, reason)."""
    kept, withheld = [], []
    for i, entry in enumerate(issue.entries):
        reason = entry.withheld_reason(today)
        if reason:
            withheld.append((("entries", i), f"{entry.id}：{reason}，不予公开"))
        else:
            kept.append(entry)
    return issue.model_copy(update={"entries": kept}), withheld


def _checks(issue: BoardIssue) -> list[tuple[tuple, str]]:
    """The personal-data gate for entries: persons only masked, credit codes that check out."""
    problems = []
    for i, entry in enumerate(issue.entries):
        if entry.subject_kind == "个人" and not personal_data.is_masked_person_name(entry.subject):
            problems.append((("entries", i, "subject"), f"个人对象必须脱敏后公开，例如“张某某”，不能写“{entry.subject}”"))
        if entry.credit_code:
            if entry.subject_kind == "个人":
                problems.append((("entries", i, "credit_code"), "统一社会信用代码只适用于组织，个人对象不得填写"))
            problem = personal_data.credit_code_problem(entry.credit_code)
            if problem:
                problems.append((("entries", i, "credit_code"), problem))
    return problems


DATA_COLUMNS = ("id", "issue", "issue_title", "board", "subject", "subject_kind", "credit_code", "region", "facts",
                "basis", "outcome", "publish_until", "status", "url")
NO_REGION = "未注明区域"


def _data_rows(issue: BoardIssue, site) -> list[dict]:
    return [{
        "id": e.id,
        "issue": issue.id,
        "issue_title": issue.title,
        "board": e.board,
        "subject": site.mask(e.subject),
        "subject_kind": e.subject_kind,
        "credit_code": e.credit_code or "",
        "region": e.region or "",
        "facts": site.mask(e.facts),
        "basis": e.basis or "",
        "outcome": site.mask(e.outcome or ""),
        "publish_until": e.publish_until.isoformat() if e.publish_until else "",
        "status": e.status,
        "url": f"{site.url_for('boards', issue.id)}#{e.id}",
    } for e in issue.entries]


def _search_docs(issue: BoardIssue, site) -> list[dict]:
    url = site.url_for("boards", issue.id)
    return [{
        "url": f"{url}#{e.id}",
        "title": site.mask(e.subject),
        "kind": BOARD_NAMES[e.board],
        "meta": issue.title,
        "code": e.credit_code or "",
        "text": "\n".join(site.mask(x) for x in (*shown_text(e), issue.title, site.issuer_name(issue.publisher))),
        "filters": {"board": e.board},
    } for e in issue.entries]


def _facets(site) -> ListSpec:
    issues = {b.id: b for b in site.records["boards"]}
    entries = [(b, e) for b in site.records["boards"] for e in b.entries]
    facets = (
        FacetSpec("board", "红榜/黑榜", lambda be: [be[1].board], order=tuple(BOARD_NAMES), labels=lambda v: BOARD_NAMES[v],
                  badge="value"),
        FacetSpec("issue", "期次", lambda be: [be[0].id], order=tuple(issues), labels=lambda v: issues[v].title),
        FacetSpec("region", "区域", lambda be: [be[1].region or NO_REGION]),
        FacetSpec("status", "状态", lambda be: [be[1].status], order=("公示中", "已整改")),
    )
    return ListSpec("boards", "条红黑榜条目", entries, facets,
                    lambda be: [be[0].id, be[1].id, site.mask(be[1].subject), be[1].subject_kind],
                    "boards/{0}/#{1}", 2, ("board", 3, "issue", "status"))


def _statistics(site) -> Figures:
    return Figures(charts=[
        ChartSpec("boards", "红黑榜各期条目", ["期次", BOARD_NAMES["red"], BOARD_NAMES["black"]],
                  [[(b.title, site.url_for("boards", b.id)),
                    sum(1 for e in b.entries if e.board == "red"),
                    sum(1 for e in b.entries if e.board == "black")] for b in site.records["boards"]],
                  series=[BOARD_NAMES["red"], BOARD_NAMES["black"]], plot=[1, 2], unit="条",
                  note="只统计公示期内、未撤销的条目。"),
    ])


SHEET_COLUMNS = SheetColumns(
    sheet="红黑榜",
    columns={
        "#serial": ("序号",),
        "id": ("期次标识",),
        "title": ("期次标题", "榜单名称"),
        "publisher": ("发布机关", "发布单位"),
        "published": ("发布日期",),
        "entries.id": ("条目标识",),
        "entries.board": ("榜单", "榜单类型", "红黑榜"),
        "entries.subject": ("对象", "对象名称", "单位名称", "企业名称", "被通报单位"),
        "entries.subject_kind": ("对象类型",),
        "entries.credit_code": ("统一社会信用代码",),
        "entries.region": ("所属区域", "所属地区", "地区"),
        "entries.facts": ("事实情况", "主要事实", "典型事例", "主要问题", "事迹"),
        "entries.basis": ("依据",),
        "entries.outcome": ("处理结果", "处理情况"),
        "entries.publish_until": ("公示截止日期",),
        "entries.status": ("状态", "公示状态"),
        "entries.rectification.deadline": ("整改期限",),
        "entries.rectification.measures": ("整改措施",),
        "entries.rectification.completed": ("整改完成日期",),
    },
    parse={"entries.board": "board_name"},
    rows="entries",
    match=("subject",),
    defaults={"entries.status": "公示中"},
    departments=("publisher",),
)

KIND = Kind(
    name="boards",
    label="红黑榜",
    model=BoardIssue,
    per_file="one",
    template="records/board.html",
    sort_key=lambda b: (-b.published.toordinal(), b.id),
    title_field="title",
    department_of=lambda board, site: site.issuer_name(board.publisher),
    file_must_be="id",
    word="board",
    template_globals={"board_names": BOARD_NAMES},
    publish=_publish,
    checks=_checks,
    references=lambda issue: [Reference(("publisher",), "units", issue.publisher)],
    sub_ids=lambda b: [(("entries", i, "id"), e.id) for i, e in enumerate(b.entries)],
    search_docs=_search_docs,
    search_filters=("board",),
    facets=_facets,
    statistics=_statistics,
    data_columns=DATA_COLUMNS,
    data_rows=_data_rows,
    data_titles={"id": "条目标识", "issue": "期次标识", "issue_title": "期次名称", "board": "榜单",
                 "subject": "对象名称", "subject_kind": "对象类型", "credit_code": "统一社会信用代码",
                 "region": "所属区域", "facts": "主要事实", "basis": "依据", "outcome": "处理结果",
                 "publish_until": "公示截止日期", "status": "状态", "url": "网页地址"},
    data_dates=("publish_until",),
    changes=lambda b, site: [(b.published, "发布红黑榜", b.title, site.url_for("boards", b.id))],
    in_site_feed=True,
    status_actions={"已整改": "整改"},
    opaque_fields=("entries",),  # entries may have been withheld since: the history only says they changed
    parts=(PartCount("entries", "红黑榜条目", lambda b: len(b.entries)),),
    columns=SHEET_COLUMNS,
)

