"""Validation stage: loaded YAML data to strict models, every problem collected.

Pydantic's errors are turned into Chinese messages (keyed on the error type, texts in
messages.yaml) and kept as `Pending` problems: a path inside the document, located to a
line and column only when reported.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from generator.content.advice import clean, did_you_mean
from generator.errors import Pending
from generator.kinds.base import submodel

_QUOTED = re.compile(r"'([^']*)'")
_ADVISED = ("literal_error", "string_pattern_mismatch", "code_format")

MESSAGES: dict[str, str] = yaml.safe_load((Path(__file__).parent / "messages.yaml").read_text("utf-8"))


@functools.lru_cache(maxsize=None)
def _describe(model: type[BaseModel], loc: tuple) -> tuple[str, str, tuple[str, ...]]:
    """(key, Chinese title, keys allowed at that level) for a pydantic error location."""
    current: type[BaseModel] | None = model
    parent, key, title = model, "", ""
    for step in loc:
        if isinstance(step, int) or current is None:
            continue
        info = current.model_fields.get(step)
        parent, key = current, str(step)
        if info is None:
            title, current = key, None
            continue
        title = info.title or key
        current = submodel(info.annotation)
    allowed = tuple(parent.model_fields) if parent is not None else ()
    return key, title, allowed


def message_for(model: type[BaseModel], error: Mapping[str, Any], raw: str | None = None) -> str:
    loc = tuple(s for s in error["loc"] if not (isinstance(s, str) and s.startswith(("function-", "literal["))))
    key, title, allowed = _describe(model, loc)
    etype = error["type"]
    ctx = dict(error.get("ctx") or {})
    value = error.get("input")
    if etype == "string_type" and isinstance(value, (int, float)) and raw and raw.startswith("0") and raw.isdigit():
        etype = "string_type_leading_zero"
    if etype in ("too_short",) and isinstance(value, str):
        etype = "string_too_short"
    if etype in _ADVISED and isinstance(value, str):
        advice = _advice(etype, key, title, value, ctx)
        if advice:
            return advice
    template = MESSAGES.get(etype)
    if template is None:
        # Our own error types (PydanticCustomError) already carry a Chinese message.
        return error["msg"] if error.get("type") not in ("value_error", "assertion_error") else f"{title or key}：{error['msg']}"
    fields = {
        "field": key or "（记录）",
        "title": title or key or "记录",
        "input": value if not isinstance(value, (dict, list)) else "…",
        "raw": raw if raw is not None else value,
        "allowed": "、".join(allowed),
        "msg": error["msg"],
        **ctx,
    }
    if "expected" in fields:
        fields["expected"] = fields["expected"].replace("'", "").replace(" or ", "、").replace(", ", "、")
    message = template.format_map(_Blank(fields))
    if etype == "extra_forbidden":
        suggestion = did_you_mean(key, allowed)
        if suggestion:
            message = message.replace("请检查拼写。", suggestion, 1)
    elif etype == "literal_error" and isinstance(value, str):
        suggestion = did_you_mean(value, _QUOTED.findall(str(ctx.get("expected", ""))))
        message += f"。{suggestion}" if suggestion else ""
    return message


def _advice(etype: str, key: str, title: str, value: str, ctx: dict) -> str:
    """A message for a refused value that is a valid one in disguise (curly quotes, spaces at its
    ends), or a record's name written where its id belongs; '' when it is neither."""
    inner, problem = clean(value)
    if problem:
        if etype == "literal_error":
            valid = inner in _QUOTED.findall(str(ctx.get("expected", "")))
        elif etype == "string_pattern_mismatch":
            valid = re.search(str(ctx.get("pattern", "")), inner) is not None
        else:
            valid = bool(inner) and inner.isascii() and " " not in inner
        if not (valid and inner):
            fix = "请改用直引号 ' 或不加引号，并删除这些字符"
        else:
            fix = f"请改为 {key}: '{inner}'" if etype == "code_format" else f"请改为 {key}: {inner}"
        return f"{title}“{value}”{'，'.join(problem)}：{fix}"
    if etype == "string_pattern_mismatch" and key != "id" and not value.isascii():
        return f"{title}“{value}”：请填写标识（只能使用字母、数字和连字符），不是名称"
    return ""


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def validate_record(model: type[BaseModel], data: Any, file: Path, prefix: tuple, locator) -> tuple[Any, list[Pending]]:
    """One record's data to its model; on failure, every problem with its path."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            loc = tuple(s for s in error["loc"] if not (isinstance(s, str) and (s.startswith("function-") or "[" in s)))
            path = prefix + loc
            raw = locator.raw_scalar(file, path) if error["type"] == "string_type" else None
            at_key = error["type"] == "extra_forbidden"
            value, key = error.get("input"), next((s for s in reversed(path) if isinstance(s, str)), "")
            lookup: tuple[str, str] | tuple[()] = ()
            if error["type"] == "string_pattern_mismatch" and key != "id" and isinstance(value, str) \
                    and not value.isascii():
                lookup = (_describe(model, tuple(s for s in loc if isinstance(s, str)))[1], value)
            problems.append(Pending(file, path, message_for(model, error, raw), at_key=at_key, lookup=lookup))
        return None, problems
