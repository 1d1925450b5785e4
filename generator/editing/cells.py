"""Spreadsheet cells to content values and back, catching what Excel does to data.

One `Column` is one spreadsheet column: a field (or a field of a nested object, such as
`time_limit.note`) with its Chinese header. Cells are encoded so that an editor can read
and change them, and decoded so that export → import gives the same data back:

- text, codes, enums: as written; dates: `YYYY-MM-DD`; booleans: 是 / 否;
- a list of text: one item per line;
- a list of objects: one item per line, parts in model field order joined by `｜`,
  trailing empty parts left out;
- whenever that form could not carry a value exactly (a line break or `｜` inside a
  part, spaces at either end, an empty text), the cell holds JSON instead (`[` …).

Excel damage is refused, never imported: errors such as `#N/A`, numbers in code columns
(lost leading zeros, `1.23E+11`, a trailing `.0`), date serial numbers, non-breaking
spaces and other invisible characters.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from generator.editing import freetext
from generator.editing.files import holds, is_code, is_list
from generator.kinds.base import submodel
from generator.content.load import scan_text

SEPARATORS = ("｜", "|")
EXCEL_ERRORS = frozenset(("#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!", "#GETTING_DATA", "#SPILL!", "#CALC!"))
_SCIENTIFIC = re.compile(r"[+-]?\d+(\.\d+)?[Ee][+-]?\d+\Z")
_TRAILING_ZERO = re.compile(r"\d+\.0+\Z")
_SERIAL = re.compile(r"\d{5}(\.\d+)?\Z")
_EXCEL_EPOCH = date(1899, 12, 30)
YES, NO = "是", "否"


class CellError(ValueError):
    """A cell that cannot be imported; the message says why and what to do."""


@dataclass(frozen=True)
class Column:
    path: tuple[str, ...]  # ("basis",) or ("time_limit", "note"); ("#serial",) for 序号
    header: str
    aliases: tuple[str, ...]
    info: FieldInfo | None
    parse: str = ""  # a reader of generator/editing/freetext.py for published text
    per_row: bool = False  # one list item per row: ("subitems", "name") from "subitems[].name"

    @property
    def key(self) -> str:
        if self.per_row:
            return f"{self.path[0]}[]." + ".".join(self.path[1:])
        return ".".join(self.path)

    @property
    def item_model(self) -> type[BaseModel] | None:
        return submodel(self.info.annotation) if self.info is not None and is_list(self.info.annotation) else None

    @property
    def item_fields(self) -> dict[str, FieldInfo]:
        """The fields of each item of an "objects" column."""
        model = self.item_model
        assert model is not None, f"{self.key} is not a list of objects"
        return model.model_fields

    @property
    def shape(self) -> str:
        if self.info is None:
            return "serial"
        if self.parse in freetext.CELL_READERS:
            return "reader"
        annotation = self.info.annotation
        if is_list(annotation):
            return "objects" if self.item_model else "lines"
        if holds(annotation, bool):
            return "bool"
        if holds(annotation, int):
            return "int"
        if holds(annotation, date):
            return "date"
        return "code" if (is_code(self.info) or self.path[-1] == "id") else "text"

    def hint(self) -> str:
        """How to fill the cell, for the instructions sheet."""
        if self.shape == "objects":
            parts = "｜".join(info.title or key for key, info in self.item_fields.items())
            return f"每行一项：{parts}"
        return {"lines": "每行一项", "bool": "填写“是”或“否”", "int": "整数", "date": "YYYY-MM-DD，例如 2024-03-01",
                "code": "文本格式（保留前导零）"}.get(self.shape, "")


def serial_to_date(serial: float) -> date | None:
    try:
        return _EXCEL_EPOCH + timedelta(days=int(serial))
    except OverflowError:
        return None


# --- encoding -----------------------------------------------------------------------

def _part(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    return str(value)


def _plain_ok(text: str) -> bool:
    return bool(text) and text == text.strip() and "\n" not in text and "\r" not in text and not any(s in text for s in SEPARATORS)


def encode(column: Column, value: Any) -> Any:
    """A value (as in the model's JSON dump) to a cell value that `decode` reads back as it is:
    where the readable form would not (an item that looks numbered, say), JSON instead."""
    cell = _encode(column, value)
    if isinstance(cell, str) and column.shape in ("lines", "objects") and not cell.startswith("["):
        try:
            same = decode(column, cell) == value
        except CellError:
            same = False
        if not same:
            return json.dumps(value, ensure_ascii=False)
    return cell


def _encode(column: Column, value: Any) -> Any:
    if value is None:
        return None
    shape = column.shape
    if shape == "bool":
        return YES if value else NO
    if shape == "lines":
        if all(_plain_ok(item) for item in value) and value and not value[0].startswith(("[", "{")):
            return "\n".join(value)
        return json.dumps(value, ensure_ascii=False)
    if shape == "objects":
        keys = list(column.item_fields)
        lines = []
        for item in value:
            parts = [_part(item.get(key)) for key in keys]
            while parts and parts[-1] == "":
                parts.pop()
            if any(isinstance(v, (dict, list)) for v in item.values()) or not all(_plain_ok(p) or p == "" for p in parts):
                return json.dumps(value, ensure_ascii=False)
            if any(item.get(key) == "" for key in keys):
                return json.dumps(value, ensure_ascii=False)
            lines.append("｜".join(parts))
        if not lines or lines[0].startswith(("[", "{")):
            return json.dumps(value, ensure_ascii=False)
        return "\n".join(lines)
    return value


# --- decoding -----------------------------------------------------------------------

def _refuse_damage(column: Column, value: Any, data_type: str | None) -> None:
    if data_type == "e" or (isinstance(value, str) and value.strip() in EXCEL_ERRORS):
        raise CellError(f"单元格是 Excel 错误值 {str(value).strip()}：请修正公式，或直接填写内容")
    if isinstance(value, str):
        if "\u00a0" in value:
            raise CellError("含有不间断空格（U+00A0），常见于从网页复制的文本：请替换为普通空格")
        problems = scan_text(value, "")
        if problems:
            raise CellError(problems[0].message)


def _code(column: Column, value: Any) -> str:
    if isinstance(value, bool):
        raise CellError(f"应为文本，现在是逻辑值 {value}")
    if isinstance(value, (int, float)):
        shown = repr(value) if isinstance(value, float) else str(value)
        raise CellError(f"被 Excel 存成了数字 {shown}，前导零或末几位可能已经丢失：请把这一列设为“文本”格式后重新填写原编码")
    if isinstance(value, datetime):
        raise CellError(f"被 Excel 自动转换成了日期 {value.date().isoformat()}：请把这一列设为“文本”格式后重新填写")
    text = str(value)
    if _SCIENTIFIC.match(text.strip()):
        raise CellError(f"显示为科学计数法 {text.strip()}，编码已被 Excel 改写：请把这一列设为“文本”格式后重新填写完整编码")
    if _TRAILING_ZERO.match(text.strip()):
        raise CellError(f"“{text.strip()}”末尾多了“.0”，编码被 Excel 当成了数字：请设为“文本”格式并删除“.0”")
    return text


def _date(column: Column, value: Any) -> Any:
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise CellError(f"日期带有时间 {value.isoformat(sep=' ')}：请只填写日期，例如 {value.date().isoformat()}")
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)) or (isinstance(value, str) and _SERIAL.match(value.strip())):
        serial = float(value)
        day = serial_to_date(serial)
        example = day.isoformat() if day else "2024-03-01"
        shown = f"{serial:g}"
        raise CellError(f"是 Excel 日期序列号 {shown}（对应 {example}）：请把这一列设为“文本”格式并填写 {example}")
    return value  # the model checks the YYYY-MM-DD form


def _int(column: Column, value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"[0-9]+", value.strip()):
        return int(value.strip())
    return value  # the model refuses anything else as "应为整数"


def _bool(column: Column, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip()
    if text in (YES, "true", "TRUE", "True"):
        return True
    if text in (NO, "false", "FALSE", "False"):
        return False
    raise CellError(f"“{text}”无法识别：请填写“是”或“否”")


def _text(column: Column, value: Any) -> str:
    if isinstance(value, datetime):
        raise CellError(f"被 Excel 自动转换成了日期 {value.date().isoformat()}：请把这一列设为“文本”格式后重新填写")
    if isinstance(value, bool):
        raise CellError(f"应为文本，现在是逻辑值 {value}")
    if isinstance(value, float):
        raise CellError(f"是数字 {value:g}，可能已被 Excel 改写：请把这一列设为“文本”格式后重新填写")
    return str(value)


def _json_list(column: Column, text: str) -> list:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CellError(f"以“[”开头的单元格按 JSON 读取，但第 {exc.colno} 个字符处格式有误：{exc.msg}") from None
    if not isinstance(value, list):
        raise CellError("JSON 内容应为列表（以“[”开头）")
    return value


def _objects(column: Column, text: str) -> list[dict]:
    fields = column.item_fields
    keys = list(fields)
    items = []
    for n, line in enumerate(freetext.numbered(text), 1):
        if column.parse in freetext.ITEM_READERS and not any(s in line for s in SEPARATORS):
            items.append(freetext.ITEM_READERS[column.parse](line))
            continue
        parts = [p.strip() for p in re.split("[｜|]", line)]
        if len(parts) > len(keys):
            names = "｜".join(fields[k].title or k for k in keys)
            raise CellError(f"第 {n} 行有 {len(parts)} 部分，最多 {len(keys)} 部分（{names}）")
        item: dict[str, Any] = {}
        for key, part in zip(keys, parts):
            if part == "":
                continue
            info = fields[key]
            if holds(info.annotation, bool):
                item[key] = _bool(column, part)
            elif holds(info.annotation, int):
                item[key] = _int(column, part)
            else:
                item[key] = part
        items.append(item)
    return items


def decode(column: Column, value: Any, data_type: str | None = None) -> Any:
    """A cell value to the value for the model; None for an empty cell. Raises CellError."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        if isinstance(value, str) and value and "\u00a0" in value:
            raise CellError("含有不间断空格（U+00A0），常见于从网页复制的文本：请替换为普通空格")
        return None
    _refuse_damage(column, value, data_type)
    shape = column.shape
    if shape == "reader":
        try:
            return freetext.CELL_READERS[column.parse](_text(column, value if not isinstance(value, (int, float)) or isinstance(value, bool) else f"{value:g}"))
        except ValueError as exc:
            raise CellError(str(exc)) from None
    if shape == "serial":
        return str(value).strip()
    if shape == "code":
        return _code(column, value)
    if shape == "date":
        return _date(column, value)
    if shape == "int":
        return _int(column, value)
    if shape == "bool":
        return _bool(column, value)
    text = _text(column, value if not isinstance(value, int) or isinstance(value, bool) else str(value))
    if shape == "text":
        return text
    if text.lstrip().startswith(("[", "{")):
        return _json_list(column, text.strip())
    if shape == "lines":
        items = freetext.numbered(text)
        return [u for item in items for u in freetext.units(item)] if column.parse == "units" else list(items)
    return _objects(column, text)
