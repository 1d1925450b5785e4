"""measures/<list_id>.yaml: commitment and rectification lists (整改清单 / 措施任务)."""

from __future__ import annotations

from typing import Literal, Optional

from generator.kinds.text import shown_text
from generator.kinds.sheet import SheetColumns
from generator.kinds.base import IsoDate, Kind, PartCount, Record, RecordId, Reference, Text, label


class Progress(Record):
    date: IsoDate = label("进展日期", required=True)
    note: Text = label("进展情况", required=True)


class MeasureItem(Record):
    id: RecordId = label("任务标识", required=True)
    text: Text = label("任务内容", required=True)
    lead_units: list[Text] = label("牵头单位", "已登记部门写部门标识，其他单位写中文全称", min_length=1, required=True)
    responsible_units: Optional[list[Text]] = label("责任单位", "已登记部门写部门标识，其他单位写中文全称")
    deadline: Optional[IsoDate] = label("完成时限")
    status: Literal["未开始", "推进中", "已完成", "逾期"] = label("进度状态", required=True)
    progress: Optional[list[Progress]] = label("推进情况")

    def overdue(self, today) -> bool:
        return self.status == "逾期" or (self.status != "已完成" and self.deadline is not None and self.deadline < today)


class MeasureList(Record):
    id: RecordId = label("清单标识", "与文件名相同", required=True)
    title: Text = label("清单标题", required=True)
    source: Text = label("来源", "出台清单的文件或会议", required=True)
    published: IsoDate = label("发布日期", required=True)
    items: list[MeasureItem] = label("任务", min_length=1, required=True)


def _references(measures: MeasureList) -> list[Reference]:
    return [Reference(("items", i, field, k), "units", unit)
            for i, item in enumerate(measures.items) for field in ("lead_units", "responsible_units")
            for k, unit in enumerate(getattr(item, field) or ())]


def _search_docs(measures: MeasureList, site) -> list[dict]:
    url = site.url_for("measures", measures.id)
    return [{
        "url": f"{url}#{item.id}",
        "title": item.text[:60],
        "kind": "任务清单",
        "meta": f"{measures.title} · {item.status}",
        "text": "\n".join([*shown_text(item), measures.title,
                          *(site.issuer_name(u) for u in (*item.lead_units, *(item.responsible_units or ())))]),
        "filters": {"status": item.status},
    } for item in measures.items]


SHEET_COLUMNS = SheetColumns(
    sheet="任务清单",
    columns={
        "#serial": ("序号",),
        "id": ("清单标识",),
        "title": ("清单标题",),
        "source": ("来源", "清单来源"),
        "published": ("发布日期",),
        "items.id": ("任务标识",),
        "items.text": ("任务内容", "整改任务", "具体措施", "工作任务", "整改措施"),
        "items.lead_units": ("牵头单位",),
        "items.responsible_units": ("责任单位", "配合单位"),
        "items.deadline": ("完成时限", "完成时间"),
        "items.status": ("进度状态", "完成情况"),
        "items.progress": ("推进情况",),
    },
    parse={"items.lead_units": "units", "items.responsible_units": "units"},
    rows="items",
    departments=("items.lead_units", "items.responsible_units"),
    match=("text",),
    defaults={"items.status": "未开始"},
)

KIND = Kind(
    name="measures",
    label="任务清单",
    model=MeasureList,
    per_file="one",
    template="records/measures.html",
    sort_key=lambda m: (-m.published.toordinal(), m.id),
    title_field="title",
    file_must_be="id",
    word="measures",
    references=_references,
    search_docs=_search_docs,
    search_filters=("status",),
    changes=lambda m, site: [(m.published, "发布任务清单", m.title, site.url_for("measures", m.id))],
    parts=(PartCount("items", "任务清单事项", lambda m: len(m.items), summary="任务"),),
    columns=SHEET_COLUMNS,
)

