"""What every record kind shares: strict models, field types, and the kind descriptor."""

from __future__ import annotations

import re
import typing
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Callable

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

if TYPE_CHECKING:
    from generator.kinds.sheet import SheetColumns
    from generator.site.model import Site


class Record(BaseModel):
    """A strict content model: unknown keys are errors, nothing is coerced silently."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False, validate_default=False)


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and not value.isascii():
        half = unicodedata.normalize("NFKC", value.strip()).replace("\u2212", "-")
        if half != value.strip() and _ISO_DATE.fullmatch(half):
            raise PydanticCustomError("full_width_date", "日期 {value} 用了全角数字或符号，请用半角（英文输入法）写成 {half}",
                                      {"value": value, "half": half})
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value.strip()):
        raise PydanticCustomError("iso_date", "日期格式应为 YYYY-MM-DD，例如 2024-03-01（当前为“{value}”）", {"value": value})
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise PydanticCustomError("impossible_date", "日期 {value} 不存在，请核对年月日", {"value": value}) from None


def _web_url(value: Any) -> str:
    if isinstance(value, str) and re.fullmatch(r"https?://[^\s<>\"'`]+", value):
        return value
    raise PydanticCustomError("web_url", "网址应以 http:// 或 https:// 开头且不含空格（当前为“{value}”）", {"value": value})


@dataclass(frozen=True)
class Identifier:
    """Marks a field that holds an identifier (a code, a document number, a credit code, a
    phone number): checked by its own format rule, not by the personal-data scan of free text."""

    what: str


_CODE = re.compile(r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ_./\-－＿．／]+")
_PHONE = re.compile(r"\+?[0-9() -]+")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def _code(value: Any) -> Any:
    if isinstance(value, str) and not (_CODE.fullmatch(value) and any(c.isalnum() for c in value)):
        raise PydanticCustomError("code_format", "编码“{value}”格式不对", {"value": value})
    return value


def _doc_number(value: Any) -> Any:
    if isinstance(value, str) and not (value.strip().endswith("号") and "\n" not in value):
        raise PydanticCustomError("doc_number_format", "发文字号“{value}”格式不对", {"value": value})
    return value


def _phone(value: Any) -> Any:
    """Phone numbers as a department publishes them: landlines and hotlines, an extension after
    转, several separated by 、; full-width digits allowed. A mobile number is personal data."""
    if not isinstance(value, str):
        return value
    for number in re.split(r"[、,;/]", unicodedata.normalize("NFKC", value)):
        main, _, extension = number.strip().partition("转")
        digits = re.sub(r"[^0-9]", "", main)
        if not (_PHONE.fullmatch(main.strip()) and 3 <= len(digits) <= 14
                and (not extension or extension.strip().isdigit())):
            raise PydanticCustomError("phone_format", "电话号码“{value}”格式不对", {"value": value})
        if _MOBILE.fullmatch(digits[2:] if len(digits) == 13 and digits.startswith("86") else digits):
            raise PydanticCustomError("phone_mobile", "不能填写手机号码", {"value": value})
    return value


def is_identifier(annotation: Any, metadata: tuple = ()) -> bool:
    """Whether a field (its annotation, and pydantic's lifted metadata) is an identifier field."""
    if any(isinstance(m, Identifier) for m in metadata):
        return True
    if typing.get_origin(annotation) is Annotated:
        return any(isinstance(m, Identifier) for m in annotation.__metadata__) or is_identifier(annotation.__origin__)
    return any(is_identifier(arg) for arg in typing.get_args(annotation))


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
WebUrl = Annotated[str, BeforeValidator(_web_url)]
Code = Annotated[str, BeforeValidator(_code), Identifier("code")]
DocNumber = Annotated[str, BeforeValidator(_doc_number), Identifier("doc_number")]
Phone = Annotated[str, BeforeValidator(_phone), Identifier("phone")]
CreditCode = Annotated[str, Identifier("credit_code")]  # GB 32100, checked by the boards kind
Text = Annotated[str, StringConstraints(min_length=1)]
# ids are identifiers too: their pattern is their rule (an imported power's id carries its code)
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+$"), Identifier("id")]
RecordId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]+$"), Identifier("id")]


def submodel(annotation: Any) -> type[BaseModel] | None:
    """The model class inside a field's annotation (Optional[list[Basis]] -> Basis), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = submodel(arg)
        if found:
            return found
    return None


def label(title: str, description: str = "", *, required: bool = False, **kwargs: Any) -> Any:
    """A field with its Chinese label (shown in errors, the schema and the editors' guide).

    Optional fields default to None; a required field must say so."""
    if not required:
        kwargs.setdefault("default", None)
    return Field(title=title, description=description or title, **kwargs)


ASCII_SLUG = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class Reference:
    """One id that a record names; checked against the registry of `kind` after loading.

    With a `backlink` heading, the named record's page lists the records naming it under
    that heading (a power page's 相关政策, its 一件事) — see `Site.referrers`. Kind 'units' is a
    field that takes a department: a registered one by its id (its name there is an error that
    gives the id), a body outside the registry by its Chinese name."""

    path: tuple  # inside the record
    kind: str  # a kind's name, "departments" or "units"
    id: str
    backlink: str = ""  # heading on the named record's page; "" lists nothing there


@dataclass(frozen=True)
class FacetSpec:
    """One facet of a faceted list: query-string key, Chinese label, how to read values."""

    key: str
    label: str
    values: Callable[[Any], list[str]]  # record -> its values (one for single-valued facets)
    multi: bool = False
    order: tuple[str, ...] = ()  # natural order for ties (enums); otherwise first appearance
    labels: Callable[[str], str] = str  # value -> displayed text
    badge: str = ""  # how a result row shows it: "" text, "status" 有效/公示中 badge, "value" badge--<value>


@dataclass(frozen=True)
class ListSpec:
    """A faceted list (/<kind>/): its records in display order, facets and how a row reads."""

    kind: str
    noun: str  # what one row is called, e.g. 项权责事项
    records: list[Any]
    facets: tuple[FacetSpec, ...]
    row: Callable[[Any], list[str]]  # the displayed fields of one record
    link: str  # URL of a row relative to the site root, "{0}" = row field 0
    title: int  # index of the title field in row
    meta: tuple[Any, ...] = ()  # shown under the title: facet keys (str) or row field indexes (int)


@dataclass
class ChartSpec:
    """One figure of the statistics page: rows of (label, values…) and how to draw them."""

    id: str
    title: str
    headings: list[str]  # first is the label column
    rows: list[list]  # [label, value, …]; label may be (text, href)
    series: list[str] = field(default_factory=list)  # names of the plotted value columns (legend), one or two
    plot: list[int] = field(default_factory=lambda: [1])  # which value columns are drawn
    limit: int = 0  # draw only the first `limit` rows (0 = all); the table always has every row
    unit: str = "项"
    note: str = ""


@dataclass(frozen=True)
class Figures:
    """A kind's part of the statistics page: figures its own sentences quote, and charts."""

    figures: dict[str, Any] = field(default_factory=dict)
    charts: list[ChartSpec] = field(default_factory=list)


@dataclass(frozen=True)
class PartCount:
    """Records inside records that the drop guard counts too (board entries, measure items)."""

    key: str  # manifest key, e.g. "entries"
    label: str  # e.g. 红黑榜条目
    count: Callable[[Any], int]  # record -> how many parts it holds
    summary: str = ""  # name in the build's summary line (default: label)


def field_title(model: type[BaseModel], path: tuple) -> str:
    """The Chinese label of the field at `path` inside a record of `model` (list indexes skipped)."""
    current: type[BaseModel] | None = model
    title = ""
    for step in path:
        if isinstance(step, int) or current is None:
            continue
        info = current.model_fields.get(step)
        if info is None:
            return step
        title, current = info.title or step, submodel(info.annotation)
    return title


@dataclass(frozen=True)
class Kind:
    """Descriptor of one record kind; the core loops over these and knows no kind by name.

    Everything the core does with a kind goes through these fields: validation (model,
    checks, references), publication, pages (templates, navigation, relations between
    records), search, facets, statistics, open data, feeds, history and the drop guard."""

    name: str  # folder under content/, URL prefix and data file name
    label: str  # Chinese name of the kind
    model: type[Record]
    per_file: str  # "list": a file holds a list of records; "one": a file is one record
    template: str  # content template for a record page
    sort_key: Callable[[Any], Any]
    title_field: str  # the model field that titles a record (pages, feeds, history)
    file_must_be: str = ""  # "department" (file stem is a department id) or "id" (stem == record id)
    word: str = ""  # the singular word of `new <word>` (default: name)
    nav_title: str = ""  # title of /<name>/ in the navigation ("" : label)
    list_template: str = ""  # content template of /<name>/ (default pages/<name>.html)
    template_globals: dict[str, Any] = field(default_factory=dict)  # names the templates may use
    references: Callable[[Any], list[Reference]] = lambda record: []
    # publish(record, today) -> (the record as it may be published, [(path, reason) held back])
    publish: Callable[[Any, date], tuple[Any, list]] = lambda record, today: (record, [])
    # ids inside a record that must be unique site-wide: [(path, id)]
    sub_ids: Callable[[Any], list[tuple[tuple, str]]] = lambda record: []
    # checks(record) -> [(path, message)]: rules beyond the model that need the whole record
    checks: Callable[[Any], list[tuple[tuple, str]]] = lambda record: []
    # relations(site, [(record, source)]) -> this kind's indexes (site.relations[name]), built once published
    relations: Callable[["Site", list], Any] | None = None
    # department_records(site, department id): its records that the department's page lists (filed["<name>"])
    department_records: Callable[["Site", str], list] | None = None
    # collection_checks(records) -> [(index of the record, path, message)]: rules across records
    collection_checks: Callable[[list[Any]], list[tuple[int, tuple, str]]] = lambda records: []
    search_docs: Callable[[Any, "Site"], list[dict]] = lambda record, site: []
    search_filters: tuple[str, ...] = ()  # keys of its search documents' "filters" (words that filter)
    facets: Callable[["Site"], ListSpec] | None = None  # the faceted list of /<name>/
    statistics: Callable[["Site"], Figures] | None = None  # its part of /stats/
    data_columns: tuple[str, ...] = ()  # columns of /data/<name>.csv, declared (the header of an empty file)
    data_rows: Callable[[Any, "Site"], list[dict]] | None = None  # rows of /data/<name>.csv|json
    # the Chinese title of every data column (/datapackage.json's Table Schema, output/datapackage.py)
    data_titles: dict[str, str] = field(default_factory=dict)
    data_dates: tuple[str, ...] = ()  # data columns holding ISO dates (Table Schema "date"; others are strings)
    columns: SheetColumns | None = None  # spreadsheet layout for import/export (kinds/sheet.py)
    # dated changes the records state themselves: [(date, label, title, link)] (feeds without git)
    changes: Callable[[Any, "Site"], list[tuple[date, str, str, str]]] = lambda record, site: []
    in_site_feed: bool = False  # /feed.xml carries this kind's changes
    status_actions: dict[str, str] = field(default_factory=dict)  # status -> history action (已取消 -> 取消)
    opaque_fields: tuple[str, ...] = ()  # history says only that these changed (may hold withheld data)
    parts: tuple[PartCount, ...] = ()  # records inside records, counted by the drop guard and the summary
    # department_of(record, site): the name of the department a record is of, added to its page's
    # <title> and description so that two departments' copies of one power are told apart ("" : none)
    department_of: Callable[[Any, "Site"], str] = lambda record, site: ""

    def title(self, record: Any) -> str:
        return getattr(record, self.title_field)

    def page_title(self, record: Any, site: "Site") -> str:
        """The <title> of its page: the record's title, and its department when it has one."""
        dept = self.department_of(record, site)
        return f"{self.title(record)} - {dept}" if dept else self.title(record)

    def page_description(self, record: Any, site: "Site") -> str:
        """The meta description of its page: what the page holds, named."""
        dept = self.department_of(record, site)
        return f"{dept}公开的{self.label}“{self.title(record)}”" if dept else f"{site.info.name}公开的{self.label}“{self.title(record)}”"
