"""measures/<list_id>.yaml: commitment and rectification lists (整改清单 / 措施任务)."""

from __future__ import annotations

from typing import Literal, Optional

from generator.kinds.base import IsoDate, Kind, Record, RecordId, Text, label
from generator.kinds.sheet import SheetColumns


class Progress(Record):
    date: IsoDate = label("进展日期", required=True)
    note: Text = label("进展情况", required=True)


class MeasureItem(Record):
    id: RecordId = label("任务标识", required=True)
    text: Text = label("任务内容", required=True)
    lead_units: list[Text] = label("牵头单位", "部门标识或名称", min_length=1, required=True)
    responsible_units: Optional[list[Text]] = label("责任单位")
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


def _search_docs(measures: MeasureList, site) -> list[dict]:
    url = site.url_for("measures", measures.id)
    return [{
        "url": f"{url}#{item.id}",
        "title": item.text[:60],
        "kind": "任务清单",
        "meta": f"{measures.title} · {item.status}",
        "text": " ".join([item.text, *(site.issuer_name(u) for u in item.lead_units)]),
        "filters": {"status": item.status},
    } for item in measures.items]


KIND = Kind(
    name="measures",
    label="任务清单",
    model=MeasureList,
    per_file="one",
    template="records/measures.html",
    sort_key=lambda m: (-m.published.toordinal(), m.id),
    title=lambda m: m.title,
    file_must_be="id",
    search_docs=_search_docs,
)


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
