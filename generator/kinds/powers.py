"""powers/<department_id>.yaml: a department's published powers (晒权 / 权责清单)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal, Optional

from pydantic import StrictBool, StrictInt, model_validator
from pydantic_core import PydanticCustomError

from generator.kinds.text import shown_text
from generator.kinds.sheet import SheetColumns
from generator.kinds.base import (ChartSpec, Code, FacetSpec, Figures, IsoDate, Kind, ListSpec, Phone, Record, RecordId,
                                  Text, WebUrl, label)
from generator.kinds.site import Department

CATEGORIES = (
    "行政许可", "行政处罚", "行政强制", "行政征收", "行政给付", "行政检查",
    "行政确认", "行政奖励", "行政裁决", "其他行政权力", "公共服务",
)
STATUSES = ("有效", "已取消", "已下放", "已调整", "暂停")
Category = Literal[CATEGORIES]  # type: ignore[valid-type]


class SubItem(Record):
    name: Text = label("子项名称", required=True)
    code: Optional[Code] = label("子项编码")


class Basis(Record):
    law: Text = label("法律法规名称", "例如《中华人民共和国食品安全法》", required=True)
    article: Optional[str] = label("条款", "例如 第三十五条")
    text: Optional[str] = label("条文内容")


class TimeLimit(Record):
    statutory_days: Optional[StrictInt] = label("法定时限（工作日）")
    promised_days: Optional[StrictInt] = label("承诺时限（工作日）", "不得超过法定时限")
    note: Optional[str] = label("时限说明")

    @model_validator(mode="after")
    def promised_within_statutory(self) -> "TimeLimit":
        if self.statutory_days is not None and self.promised_days is not None and self.promised_days > self.statutory_days:
            raise PydanticCustomError(
                "promised_over_statutory",
                "承诺时限 {promised} 个工作日超过了法定时限 {statutory} 个工作日，承诺时限不得超过法定时限",
                {"promised": self.promised_days, "statutory": self.statutory_days},
            )
        return self


class Fee(Record):
    charged: StrictBool = label("是否收费", "true 收费，false 不收费", required=True)
    standard: Optional[str] = label("收费标准")
    basis: Optional[str] = label("收费依据")


class Channels(Record):
    online: Optional[WebUrl] = label("网上办理地址")
    hall: Optional[str] = label("线下办理地点")


class Change(Record):
    date: IsoDate = label("变更日期", required=True)
    action: Literal["新增", "取消", "下放", "承接", "调整", "合并"] = label("变更类型", required=True)
    note: Optional[str] = label("变更说明")
    document: Optional[str] = label("依据文件")


class Power(Record):
    id: RecordId = label("事项标识", "全站唯一，[A-Za-z0-9-]+，用作永久网址", required=True)
    code: Optional[Code] = label("职权编码", "官方职权编码或事项编码（文本，请加引号）：字母、数字和 - _ . /")
    name: Text = label("职权名称", required=True)
    category: Category = label("职权类型", "十一类之一：" + "、".join(CATEGORIES), required=True)
    subitems: Optional[list[SubItem]] = label("子项")
    basis: list[Basis] = label("设定依据", "至少一条，按法律位阶从高到低排列", min_length=1, required=True)
    implementer: Optional[str] = label("实施主体", "与部门不同时填写")
    office: Optional[str] = label("承办机构", "部门内具体承办的科室或机构")
    level: Optional[str] = label("行使层级", "市级 / 区县级 / 乡镇级 …")
    responsibilities: Optional[list[Text]] = label("责任事项")
    accountability: Optional[list[Text]] = label("追责情形")
    time_limit: Optional[TimeLimit] = label("办理时限")
    fee: Optional[Fee] = label("收费")
    process: Optional[list[Text]] = label("办理流程")
    channels: Optional[Channels] = label("办理渠道")
    supervision_phone: Optional[Phone] = label("监督电话", "填写时覆盖部门的监督电话；办公电话或服务热线，不填手机号码")
    status: Literal[STATUSES] = label("事项状态", "有效 / 已取消 / 已下放 / 已调整 / 暂停", required=True)  # type: ignore[valid-type]
    effective: Optional[IsoDate] = label("生效日期")
    changes: Optional[list[Change]] = label("变更记录", "按时间顺序，最新的在最后")
    note: Optional[str] = label("备注")

    @property
    def current(self) -> bool:
        return self.status == "有效"


@dataclass
class PowerRelations:
    """site.relations["powers"]: each power's department and each department's powers."""

    department: dict[str, Department]  # power id -> the department whose file lists it
    by_department: dict[str, list[Power]]  # department id -> its published powers, in the kind's order
    published: list[Power]

    def counts(self, attribute: str) -> Counter:
        """How many published powers have each value of `attribute` (category, status, current)."""
        return Counter(getattr(p, attribute) for p in self.published)


def _relations(site, sourced: list) -> PowerRelations:
    stems = {power.id: source.file.stem for power, source in sourced}
    department = {p.id: site.departments[stems[p.id]] for p in site.records["powers"]}
    by_department: dict[str, list[Power]] = {dept_id: [] for dept_id in site.departments}
    for power in site.records["powers"]:
        by_department[department[power.id].id].append(power)
    return PowerRelations(department, by_department, site.records["powers"])


def _department(site, power: Power) -> Department:
    return site.relations["powers"].department[power.id]


def by_category(powers: list[Power]) -> list[tuple[str, list[Power]]]:
    """(category, powers) in the official order of categories, empty ones left out."""
    groups: dict[str, list[Power]] = {c: [] for c in CATEGORIES}
    for power in powers:
        groups[power.category].append(power)
    return [(c, ps) for c, ps in groups.items() if ps]


DATA_COLUMNS = ("id", "code", "name", "category", "department", "department_name", "region", "basis",
                "implementer", "level", "status", "effective", "url")


def _data_rows(power: Power, site) -> list[dict]:
    dept = _department(site, power)
    return [{
        "id": power.id,
        "code": power.code or "",
        "name": power.name,
        "category": power.category,
        "department": dept.id,
        "department_name": dept.name,
        "region": dept.region,
        "basis": "；".join(b.law + (b.article or "") for b in power.basis),
        "implementer": power.implementer or "",
        "level": power.level or "",
        "status": power.status,
        "effective": power.effective.isoformat() if power.effective else "",
        "url": site.url_for("powers", power.id),
    }]


def _search_docs(power: Power, site) -> list[dict]:
    dept = _department(site, power)
    # the page shows every field, the department, its region and the phones
    words = [*shown_text(power), dept.name, dept.short_name or "", dept.region,
             power.supervision_phone or dept.supervision_phone or "", dept.phone or ""]
    return [{
        "url": site.url_for("powers", power.id),
        "title": power.name,
        "code": power.code or "",
        "kind": "权责事项",
        "meta": f"{dept.short_name or dept.name} · {power.category}" + ("" if power.current else f" · {power.status}"),
        "text": "\n".join(w for w in words if w),
        "filters": {"category": power.category, "region": dept.region, "status": power.status},
        "rank": 0 if power.current else 2,
    }]


def _facets(site) -> ListSpec:
    """Powers are listed department by department, by category."""
    depts = site.departments
    by_department = site.relations["powers"].by_department
    powers = [p for d in depts for _, group in by_category(by_department[d]) for p in group]
    facets = (
        FacetSpec("department", "部门", lambda p: [_department(site, p).id],
                  order=tuple(depts), labels=lambda v: depts[v].name),
        FacetSpec("region", "区域", lambda p: [_department(site, p).region],
                  order=tuple(dict.fromkeys(d.region for d in depts.values()))),
        FacetSpec("category", "职权类型", lambda p: [p.category], order=CATEGORIES),
        FacetSpec("status", "事项状态", lambda p: [p.status], order=STATUSES, badge="status"),
    )
    return ListSpec("powers", "项权责事项", powers, facets, lambda p: [p.id, p.name, p.code or ""],
                    "powers/{0}/", 1, ("department", "category", "status", 2))


# department kinds (departments.yaml `kind`) as the sentence "35 个市直部门公布了 3046 项…" names them, in report order
KIND_NOUNS = {"市直部门": "市直部门", "区县部门": "区县部门", "园区": "园区", "垂直管理": "垂直管理部门", "其他": "其他单位"}


def _statistics(site) -> Figures:
    powers = site.records["powers"]
    current = [p for p in powers if p.current]
    by_dept = Counter(_department(site, p).id for p in current)
    all_by_dept = Counter(_department(site, p).id for p in powers)

    kinds: dict[str, list[int]] = {noun: [0, 0] for noun in KIND_NOUNS.values()}
    for dept in site.departments.values():
        if by_dept[dept.id]:
            entry = kinds[KIND_NOUNS.get(dept.kind or "其他", "其他单位")]
            entry[0] += 1
            entry[1] += by_dept[dept.id]
    headline = [(kind, n, m) for kind, (n, m) in kinds.items() if n]

    dept_rows = sorted(
        ([(d.name, site.url_for("departments", d.id)), d.region, by_dept[d.id], all_by_dept[d.id]]
         for d in site.departments.values() if all_by_dept[d.id]),
        key=lambda r: -r[2])
    regions: dict[str, list[int]] = {}
    for dept in site.departments.values():
        entry = regions.setdefault(dept.region, [0, 0])
        entry[0] += 1
        entry[1] += by_dept[dept.id]
    by_cat = Counter(p.category for p in current)
    by_status = Counter(p.status for p in powers)
    charts = [
        ChartSpec("departments", "各部门现行权责事项", ["部门", "区域", "现行事项", "公布事项（含已取消、下放等）"],
                  dept_rows, plot=[2], limit=15,
                  note="图中为现行事项最多的 15 个部门；表中列出全部部门。" if len(dept_rows) > 15 else ""),
        ChartSpec("categories", "按职权类型", ["职权类型", "现行事项"],
                  [[c, by_cat[c]] for c in CATEGORIES if by_cat[c]]),
        ChartSpec("regions", "按区域", ["区域", "部门数", "现行事项"],
                  [[r, n, m] for r, (n, m) in sorted(regions.items(), key=lambda kv: (-kv[1][1], kv[0]))], plot=[2]),
        ChartSpec("statuses", "权责事项按状态", ["事项状态", "事项数"],
                  [[s, by_status[s]] for s in STATUSES if by_status[s]]),
    ]
    figures = {"headline": headline, "departments": sum(1 for d in by_dept if by_dept[d]),
               "current": len(current), "not_current": len(powers) - len(current)}
    return Figures(figures, charts)


def _changes(power: Power, site) -> list:
    return [(c.date, f"权责事项{c.action}", power.name, site.url_for("powers", power.id)) for c in power.changes or ()]


SHEET_COLUMNS = SheetColumns(
    sheet="权责清单",
    columns={
        "#serial": ("序号", "编号"),
        "id": ("事项标识",),
        "code": ("职权编码", "事项编码", "权力编码", "权责事项编码", "基本编码", "主项编码"),
        "name": ("职权名称", "事项名称", "权力名称", "权责事项名称", "职权事项名称", "主项名称", "项目名称"),
        "category": ("职权类型", "职权类别", "事项类型", "权力类型", "事项类别", "权力类别", "职权分类"),
        "subitems": ("子项",),
        "subitems[].name": ("子项名称", "子项事项名称"),
        "subitems[].code": ("子项编码",),
        "basis": ("设定依据", "实施依据", "法律依据", "法定依据", "设定和实施依据", "职权依据", "依据"),
        "implementer": ("实施主体", "行使主体", "实施机关"),
        "level": ("行使层级", "行使层次"),
        "responsibilities": ("责任事项", "责任事项内容"),
        "accountability": ("追责情形", "问责情形", "追责情形及依据", "问责依据"),
        "time_limit.statutory_days": ("法定时限（工作日）", "法定时限", "法定办结时限", "法定期限"),
        "time_limit.promised_days": ("承诺时限（工作日）", "承诺时限", "承诺办结时限", "承诺期限"),
        "time_limit.note": ("时限说明",),
        "fee.charged": ("是否收费",),
        "fee.standard": ("收费标准",),
        "fee.basis": ("收费依据",),
        "fee": ("收费依据及标准", "收费标准及依据", "收费情况"),
        "process": ("办理流程", "流程", "运行流程"),
        "channels.online": ("网上办理地址", "网办地址"),
        "channels.hall": ("线下办理地点", "办理地点"),
        "supervision_phone": ("监督电话", "监督投诉电话", "投诉电话"),
        "status": ("事项状态",),
        "effective": ("生效日期",),
        "changes": ("变更记录",),
        "office": ("承办机构", "责任科室", "承办科室", "内设机构", "责任处室"),
        "note": ("备注",),
    },
    parse={"basis": "legal_basis", "fee": "fee_text",
           "time_limit.statutory_days": "working_days", "time_limit.promised_days": "working_days"},
    match=("code", "name"),
    defaults={"status": "有效"},
    id_from="code",
    id_words={"category": dict(zip(CATEGORIES, ("xk", "cf", "qz", "zs", "jf", "jc", "qr", "jl", "cj", "qt", "fw")))},
)

KIND = Kind(
    name="powers",
    label="权责事项",
    model=Power,
    per_file="list",
    template="records/power.html",
    sort_key=lambda p: (p.code or "", p.id),
    title_field="name",
    file_must_be="department",
    word="power",
    nav_title="权责清单",
    template_globals={"categories": CATEGORIES, "by_category": by_category},
    relations=_relations,
    department_records=lambda site, dept_id: site.relations["powers"].by_department[dept_id],
    search_docs=_search_docs,
    search_filters=("category", "region", "status"),
    facets=_facets,
    statistics=_statistics,
    data_columns=DATA_COLUMNS,
    data_rows=_data_rows,
    data_titles={"id": "事项标识", "code": "职权编码", "name": "职权名称", "category": "职权类型",
                 "department": "部门标识", "department_name": "部门名称", "region": "所属区域",
                 "basis": "设定依据", "implementer": "实施主体", "level": "行使层级", "status": "事项状态",
                 "effective": "生效日期", "url": "网页地址"},
    data_dates=("effective",),
    changes=_changes,
    status_actions={"已取消": "取消", "已下放": "下放", "已调整": "调整", "暂停": "暂停"},
    columns=SHEET_COLUMNS,
    department_of=lambda power, site: _department(site, power).name,
)

