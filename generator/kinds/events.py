"""events/<id>.yaml: one 一件事 — a business or life event and the powers it takes, in order.

Citizens and businesses think in events (开办餐饮店, 新生儿出生), not in powers: an event
page lists the steps in order, each power with its department, time limits and where to
apply; each power page lists the events it belongs to (a backlink of `steps[].power`).
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import StrictInt

from generator.kinds.text import shown_text
from generator.kinds.base import Kind, Record, RecordId, Reference, Text, label
from generator.kinds.powers import Channels
from generator.kinds.sheet import SheetColumns

STATUSES = ("有效", "已停止")


class Step(Record):
    power: RecordId = label("权责事项", "权责事项标识（powers/ 中的 id）", required=True)
    note: Optional[str] = label("步骤说明", "这一步的补充说明，例如 与营业执照同时申请")


class Event(Record):
    id: RecordId = label("一件事标识", "与文件名相同", required=True)
    title: Text = label("名称", "例如 开办餐饮店", required=True)
    audience: Literal["企业", "个人"] = label("办理对象", "企业 或 个人", required=True)
    aliases: Optional[list[Text]] = label("常用说法", "群众搜索时用的词，例如 开饭店、开餐馆")
    summary: Text = label("内容概述", "这件事包括哪些办理事项", required=True)
    lead: Text = label("牵头部门", "部门标识", required=True)
    steps: list[Step] = label("办理步骤", "按办理顺序列出涉及的权责事项", min_length=1, required=True)
    promised_days: Optional[StrictInt] = label("承诺时限（工作日）", "整件事的承诺办结时限")
    channels: Optional[Channels] = label("办理渠道", "整件事的网上和线下办理入口")
    materials: Optional[list[Text]] = label("申请材料", "整件事一次提交的材料")
    status: Literal[STATUSES] = label("状态", "有效 / 已停止", required=True)  # type: ignore[valid-type]


def _references(event: Event) -> list[Reference]:
    refs = [Reference(("lead",), "departments", event.lead)]
    refs += [Reference(("steps", i, "power"), "powers", step.power, backlink="所属一件事")
             for i, step in enumerate(event.steps)]
    return refs


DATA_COLUMNS = ("id", "title", "audience", "aliases", "lead", "lead_name", "steps", "promised_days", "status", "url")


def _data_rows(event: Event, site) -> list[dict]:
    return [{
        "id": event.id,
        "title": event.title,
        "audience": event.audience,
        "aliases": "；".join(event.aliases or ()),
        "lead": event.lead,
        "lead_name": site.issuer_name(event.lead),
        "steps": "；".join(step.power for step in event.steps),
        "promised_days": "" if event.promised_days is None else str(event.promised_days),
        "status": event.status,
        "url": site.url_for("events", event.id),
    }]


def _search_docs(event: Event, site) -> list[dict]:
    powers = [site.record("powers", step.power) for step in event.steps]
    words = [*shown_text(event), site.issuer_name(event.lead), *(p.name for p in powers if p is not None)]
    return [{
        "url": site.url_for("events", event.id),
        "title": event.title,
        "kind": "一件事",
        "meta": f"{event.audience} · {len(event.steps)} 个事项" + ("" if event.status == "有效" else f" · {event.status}"),
        "text": "\n".join(w for w in words if w),
        "filters": {"status": event.status},
        "rank": 0 if event.status == "有效" else 2,
    }]


SHEET_COLUMNS = SheetColumns(
    sheet="一件事",
    columns={
        "#serial": ("序号",),
        "id": ("一件事标识",),
        "title": ("名称", "一件事名称", "事项名称"),
        "audience": ("办理对象", "服务对象"),
        "aliases": ("常用说法", "别名"),
        "summary": ("内容概述", "事项说明"),
        "lead": ("牵头部门", "牵头单位"),
        "steps": ("办理步骤", "涉及事项"),
        "promised_days": ("承诺时限（工作日）", "承诺时限", "承诺办结时限"),
        "channels.online": ("网上办理地址", "网办地址"),
        "channels.hall": ("线下办理地点", "办理地点"),
        "materials": ("申请材料", "所需材料"),
        "status": ("状态",),
    },
    match=("title",),
    id_prefix="event",
    defaults={"status": "有效"},
    departments=("lead",),
)


KIND = Kind(
    name="events",
    label="一件事",
    model=Event,
    per_file="one",
    template="records/event.html",
    sort_key=lambda e: (e.status != "有效", e.audience != "企业", e.id),
    title_field="title",
    department_of=lambda event, site: site.issuer_name(event.lead),
    file_must_be="id",
    word="event",
    references=_references,
    search_docs=_search_docs,
    search_filters=("status",),
    data_columns=DATA_COLUMNS,
    data_rows=_data_rows,
    data_titles={"id": "一件事标识", "title": "名称", "audience": "办理对象", "aliases": "常用说法",
                 "lead": "牵头部门标识", "lead_name": "牵头部门名称", "steps": "办理步骤",
                 "promised_days": "承诺时限（工作日）", "status": "状态", "url": "网页地址"},
    status_actions={"已停止": "停止"},
    columns=SHEET_COLUMNS,
)
