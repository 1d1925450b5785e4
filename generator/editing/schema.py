"""JSON Schema (draft 2020-12) of every content file, generated from the models.

Editors' YAML editors (VS Code with the YAML extension) use these files for
autocompletion, enum drop-downs and inline errors; titles and descriptions are the
models' own Chinese labels. Values are described as the loader reads them: dates are
strings in `YYYY-MM-DD` form, codes and phone numbers are strings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter
from pydantic.json_schema import GenerateJsonSchema
from pydantic_core import core_schema

from generator.editing.files import FileKind, file_kinds
from generator.kinds import base

DRAFT = "https://json-schema.org/draft/2020-12/schema"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
URL_PATTERN = "^https?://[^\\s<>\"'`]+$"  # ECMA-262 (JSON Schema's regex dialect) has no `\\"` escape


class _ContentSchema(GenerateJsonSchema):
    """Describes the value as written in YAML, and the checks our validators make."""

    def function_before_schema(self, schema: core_schema.BeforeValidatorFunctionSchema) -> dict[str, Any]:
        inner = super().function_before_schema(schema)
        function = schema.get("function", {}).get("function")
        if function is base._iso_date:
            return {"type": "string", "format": "date", "pattern": DATE_PATTERN}
        if function is base._web_url:
            return {**inner, "format": "uri", "pattern": URL_PATTERN}
        return inner


# Rules that pydantic model validators enforce and JSON Schema can say as well.
_CONDITIONS: dict[str, list[dict[str, Any]]] = {
    "BoardEntry": [{
        "if": {"properties": {"board": {"const": "black"}}, "required": ["board"]},
        "then": {"required": ["publish_until"]},
    }],
}


def _tidy(definition: dict[str, Any], name: str) -> None:
    """Drop English class names and docstrings: editors see the fields' Chinese labels."""
    definition.pop("title", None)
    definition.pop("description", None)
    for rule in _CONDITIONS.get(name, ()):
        definition.setdefault("allOf", []).append(rule)


def schema_for(kind: FileKind) -> dict[str, Any]:
    shape = list[kind.model] if kind.is_list else kind.model  # type: ignore[name-defined]  # a model chosen at run time
    generated = TypeAdapter(shape).json_schema(schema_generator=_ContentSchema, mode="validation")
    defs = generated.pop("$defs", {})
    for name, definition in defs.items():
        _tidy(definition, name)
    if kind.is_list:
        generated.pop("title", None)
        root = {"type": "array", "items": generated["items"]}
    else:
        root = generated
        _tidy(root, kind.model.__name__)
    where = f"content/{kind.glob}"
    result = {
        "$schema": DRAFT,
        "title": kind.title,
        "description": f"{where}：{kind.title}" + ("（列表，每项一条记录）" if kind.is_list else ""),
        **root,
    }
    if defs:
        result["$defs"] = dict(sorted(defs.items()))
    return result


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def schema_files() -> dict[str, str]:
    """File name -> text of every schema, as shipped in schemas/."""
    return {f"{kind.name}.schema.json": render(schema_for(kind)) for kind in file_kinds()}


def vscode_settings(schema_dir: str = "schemas", content_dir: str = "content") -> dict[str, Any]:
    """The `.vscode/settings.json` that ties each schema to its content files."""
    return {
        "yaml.schemas": {f"./{schema_dir}/{kind.name}.schema.json": f"{content_dir}/{kind.glob}" for kind in file_kinds()},
        "yaml.format.enable": False,
        "yaml.validate": True,
        "yaml.completion": True,
        "[yaml]": {
            "editor.tabSize": 2,
            "editor.insertSpaces": True,
            "editor.detectIndentation": False,
            "files.encoding": "utf8",
        },
    }


def write_schemas(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schema_files().items():
        path = out_dir / name
        if not path.exists() or path.read_text("utf-8") != text:
            path.write_text(text, "utf-8")
        written.append(path)
    return written
