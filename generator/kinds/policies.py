"""policies/<id>.yaml: one policy (政策文件) with its interpretation (政策解读)."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass
from typing import Literal, Optional

from pydantic import StrictBool

from generator.kinds.text import shown_text
from generator.kinds.sheet import SheetColumns
from generator.kinds.base import (ChartSpec, DocNumber, FacetSpec, Figures, IsoDate, Kind, ListSpec, Record, RecordId,
                                  Reference, Text, WebUrl, label)

STATUSES = ("有效", "已修订", "已废止", "已失效")


class Interpretation(Record):
    by: Text = label("解读机关", "谁发布谁解读：解读的部门", required=True)
    date: Optional[IsoDate] = label("解读日期")
    contact: Optional[str] = label("咨询电话")
    text: Optional[str] = label("解读内容", "Markdown 格式")
    url: Optional[WebUrl] = label("解读原文链接")


class Application(Record):
    conditions: Optional[str] = label("申报条件")
    materials: Optional[str] = label("申报材料")
    channel: Optional[str] = label("申报渠道")
    deadline: Optional[str] = label("申报期限")
    no_application_needed: Optional[StrictBool] = label("免申即享", "true 表示无需申请即可享受")


class Policy(Record):
    id: RecordId = label("政策标识", "与文件名相同", required=True)
    title: Text = label("标题", required=True)
    doc_number: Optional[DocNumber] = label("发文字号", "以“号”结尾，例如 大发改法规字〔2021〕374号")
    issuers: list[Text] = label("发文机关", "部门标识，或登记册以外机关的中文全称；可联合发文", min_length=1, required=True)
    issued: IsoDate = label("成文日期", required=True)
    published: Optional[IsoDate] = label("发布日期")
    effective: Optional[IsoDate] = label("生效日期")
    expires: Optional[IsoDate] = label("失效日期")
    status: Literal[STATUSES] = label("效力状态", "有效 / 已修订 / 已废止 / 已失效", required=True)  # type: ignore[valid-type]
    topics: Optional[list[Text]] = label("政策主题", "例如 融资支持、人才、减税降费")
    beneficiaries: Optional[list[Text]] = label("惠及对象", "例如 小微企业、民营企业、个体工商户")
    summary: Text = label("内容概述", required=True)
    body: Optional[str] = label("政策全文", "Markdown 格式")
    source_url: Optional[WebUrl] = label("原文链接")
    interpretation: Optional[Interpretation] = label("政策解读")
    application: Optional[Application] = label("申报兑现")
    related_powers: Optional[list[RecordId]] = label("相关权责事项", "权责事项标识")
    supersedes: Optional[list[RecordId]] = label("替代的政策", "本政策替代的旧政策标识")


def _references(policy: Policy) -> list[Reference]:
    refs = [Reference(("issuers", i), "units", issuer) for i, issuer in enumerate(policy.issuers)]
    refs += [Reference(("related_powers", i), "powers", pid, backlink="相关政策")
             for i, pid in enumerate(policy.related_powers or ())]
    refs += [Reference(("supersedes", i), "policies", pid) for i, pid in enumerate(policy.supersedes or ())]
    return refs


@dataclass
class PolicyRelations:
    """site.relations["policies"]: the newer policies that replace each one."""

    superseded_by: dict[str, list[str]]  # policy id -> ids of the policies naming it in `supersedes`


def _relations(site, sourced: list) -> PolicyRelations:
    superseded_by: dict[str, list[str]] = {}
    for policy in site.records["policies"]:
        for old in policy.supersedes or ():
            superseded_by.setdefault(old, []).append(policy.id)
    return PolicyRelations(superseded_by)


DATA_COLUMNS = ("id", "title", "doc_number", "issuers", "issued", "published", "effective", "expires", "status",
                "topics", "beneficiaries", "summary", "source_url", "url")
def _supersedes_problems(policies: list[Policy]) -> list[tuple[int, tuple, str]]:
    """`supersedes` may not name the policy itself nor form a cycle (content model v1.1):
    every link that closes a cycle is reported, with the cycle read from that policy."""
    links = {p.id: [old for old in p.supersedes or () if old != p.id] for p in policies}
    problems = []
    for index, policy in enumerate(policies):
        for i, old in enumerate(policy.supersedes or ()):
            if old == policy.id:
                problems.append((index, ("supersedes", i),
                                 f"政策 {policy.id} 的 supersedes 不能包含自身：这里应写被本政策替代的旧政策标识"))
                continue
            back = _path(links, old, policy.id)
            if back:
                problems.append((index, ("supersedes", i), f"政策替代关系形成循环：{' → '.join([policy.id, *back])}。"
                                 "被替代的旧政策不能反过来替代新政策，请删除其中错误的一处 supersedes"))
    return problems


def _path(links: dict[str, list[str]], start: str, goal: str) -> list[str]:
    """The shortest chain of `supersedes` links from `start` to `goal` (both included), or []."""
    came_from: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        current = queue.popleft()
        if current == goal:
            chain: list[str] = []
            link: str | None = current
            while link is not None:
                chain.append(link)
                link = came_from[link]
            return chain[::-1]
        for nxt in links.get(current, ()):
            if nxt not in came_from:
                came_from[nxt] = current
                queue.append(nxt)
    return []


def _data_rows(policy: Policy, site) -> list[dict]:
    return [{
        "id": policy.id,
        "title": policy.title,
        "doc_number": policy.doc_number or "",
        "issuers": "；".join(site.issuer_name(i) for i in policy.issuers),
        "issued": policy.issued.isoformat(),
        "published": policy.published.isoformat() if policy.published else "",
        "effective": policy.effective.isoformat() if policy.effective else "",
        "expires": policy.expires.isoformat() if policy.expires else "",
        "status": policy.status,
        "topics": "；".join(policy.topics or ()),
        "beneficiaries": "；".join(policy.beneficiaries or ()),
        "summary": policy.summary,
        "source_url": policy.source_url or "",
        "url": site.url_for("policies", policy.id),
    }]


def _search_docs(policy: Policy, site) -> list[dict]:
    words = [*shown_text(policy), *(site.issuer_name(i) for i in policy.issuers)]
    for newer in site.relations["policies"].superseded_by.get(policy.id, []):  # the banner names its successors
        successor = site.record("policies", newer)
        words += [successor.title, successor.doc_number or ""]
    return [{
        "url": site.url_for("policies", policy.id),
        "title": policy.title,
        "code": policy.doc_number or "",
        "kind": "政策",
        "meta": " · ".join(x for x in (policy.doc_number, policy.status) if x),
        "text": "\n".join(w for w in words if w),
        "filters": {"status": policy.status},
    }]


def _facets(site) -> ListSpec:
    facets = (
        FacetSpec("topic", "政策主题", lambda p: list(dict.fromkeys(p.topics or ())), multi=True),
        FacetSpec("beneficiary", "惠及对象", lambda p: list(dict.fromkeys(p.beneficiaries or ())), multi=True),
        FacetSpec("issuer", "发文机关", lambda p: list(dict.fromkeys(p.issuers)), multi=True,
                  order=tuple(site.departments), labels=site.issuer_name),
        FacetSpec("validity", "效力状态", lambda p: [p.status], order=STATUSES, badge="status"),
    )
    return ListSpec("policies", "件政策", site.records["policies"], facets,
                    lambda p: [p.id, p.title, p.doc_number or "", p.issued.isoformat()],
                    "policies/{0}/", 1, (2, 3, "validity"))


def _statistics(site) -> Figures:
    policies = site.records["policies"]
    topics = Counter(t for p in policies for t in dict.fromkeys(p.topics or ()))
    validity = Counter(p.status for p in policies)
    return Figures(charts=[
        ChartSpec("topics", "政策按主题", ["政策主题", "政策件数"],
                  [[t, n] for t, n in sorted(topics.items(), key=lambda kv: (-kv[1], kv[0]))], unit="件", limit=15,
                  note="图中为政策最多的 15 个主题；表中列出全部主题。" if len(topics) > 15 else ""),
        ChartSpec("validity", "政策按效力状态", ["效力状态", "政策件数"],
                  [[s, validity[s]] for s in STATUSES if validity[s]], unit="件"),
    ])


SHEET_COLUMNS = SheetColumns(
    sheet="政策清单",
    columns={
        "#serial": ("序号",),
        "id": ("政策标识",),
        "title": ("标题", "政策名称", "文件名称", "政策标题", "政策文件名称"),
        "doc_number": ("发文字号", "文号"),
        "issuers": ("发文机关", "发布机关", "发文单位", "制定机关"),
        "issued": ("成文日期",),
        "published": ("发布日期",),
        "effective": ("生效日期", "施行日期"),
        "expires": ("失效日期",),
        "status": ("效力状态", "有效性"),
        "topics": ("政策主题", "主题分类", "政策类别"),
        "beneficiaries": ("惠及对象", "适用对象", "支持对象", "享受主体"),
        "summary": ("内容概述", "主要内容", "政策要点", "政策内容"),
        "body": ("政策全文", "全文"),
        "source_url": ("原文链接", "链接"),
        "interpretation.by": ("解读机关",),
        "interpretation.date": ("解读日期",),
        "interpretation.contact": ("咨询电话", "政策咨询电话"),
        "interpretation.text": ("解读内容", "政策解读"),
        "interpretation.url": ("解读原文链接", "解读链接"),
        "application.conditions": ("申报条件", "享受条件"),
        "application.materials": ("申报材料",),
        "application.channel": ("申报渠道", "兑现渠道"),
        "application.deadline": ("申报期限", "申报时间"),
        "application.no_application_needed": ("免申即享",),
        "related_powers": ("相关权责事项",),
        "supersedes": ("替代的政策",),
    },
    parse={"issuers": "units"},
    match=("doc_number", "title"),
    id_prefix="policy",
    defaults={"status": "有效"},
    departments=("issuers", "interpretation.by"),
)

KIND = Kind(
    name="policies",
    label="政策",
    model=Policy,
    per_file="one",
    template="records/policy.html",
    sort_key=lambda p: (-p.issued.toordinal(), p.id),
    title_field="title",
    department_of=lambda policy, site: "、".join(site.issuer_name(i) for i in policy.issuers),
    file_must_be="id",
    word="policy",
    references=_references,
    relations=_relations,
    collection_checks=_supersedes_problems,
    search_docs=_search_docs,
    search_filters=("status",),
    facets=_facets,
    statistics=_statistics,
    data_columns=DATA_COLUMNS,
    data_rows=_data_rows,
    data_titles={"id": "政策标识", "title": "标题", "doc_number": "发文字号", "issuers": "发文机关",
                 "issued": "成文日期", "published": "发布日期", "effective": "生效日期", "expires": "失效日期",
                 "status": "效力状态", "topics": "政策主题", "beneficiaries": "惠及对象", "summary": "内容概述",
                 "source_url": "原文链接", "url": "网页地址"},
    data_dates=("issued", "published", "effective", "expires"),
    changes=lambda p, site: [(p.published or p.issued, "发布政策", p.title, site.url_for("policies", p.id))],
    in_site_feed=True,
    status_actions={"已废止": "废止", "已失效": "失效", "已修订": "修订"},
    columns=SHEET_COLUMNS,
)

