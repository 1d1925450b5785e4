"""JSON Schema export: shipped files up to date, valid 2020-12, and agreeing with the content."""

from __future__ import annotations

import json
import subprocess
import sys
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from generator.cli import main
from generator.editing.files import file_kinds, kind_of
from generator.editing.schema import schema_files, vscode_settings
from generator.content.load import load_file
from conftest import EDITING

REPO = Path(__file__).resolve().parent.parent
FIXTURE = EDITING
CONTENT_ROOTS = [root for root in (REPO / "content", FIXTURE) if (root / "site.yaml").is_file()]
CJK = re.compile(r"[\u4e00-\u9fff]")


def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(schema_files()[f"{name}.schema.json"]),
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def content_files() -> list[tuple[Path, Path]]:
    return [(root, path) for root in CONTENT_ROOTS for path in sorted(root.rglob("*.yaml"))]


def test_shipped_schemas_are_up_to_date():
    shipped = {p.name: p.read_text("utf-8") for p in (REPO / "schemas").glob("*.schema.json")}
    assert shipped == schema_files(), "schemas/ 已过期：请运行 python -m generator schema"


def test_one_schema_per_file_kind_and_each_is_valid_2020_12():
    files = schema_files()
    assert sorted(files) == sorted(f"{k.name}.schema.json" for k in file_kinds())
    assert {"site", "departments", "powers", "policies", "boards", "measures"} <= {k.name for k in file_kinds()}
    for text in files.values():
        schema = json.loads(text)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        Draft202012Validator.check_schema(schema)


def _properties(node, path=""):
    """Every property schema, except inside if/then conditions (which only restate keys)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties":
                for name, sub in value.items():
                    yield f"{path}.{name}", sub
                    yield from _properties(sub, f"{path}.{name}")
            elif key not in ("if", "then"):
                yield from _properties(value, f"{path}/{key}")
    elif isinstance(node, list):
        for item in node:
            yield from _properties(item, path)


def test_every_property_has_a_chinese_title_and_description():
    for name, text in schema_files().items():
        props = list(_properties(json.loads(text)))
        assert props, name
        for where, prop in props:
            assert CJK.search(prop.get("title", "")), f"{name}{where} 没有中文标题"
            assert CJK.search(prop.get("description", "")), f"{name}{where} 没有中文说明"


def test_schema_describes_values_as_written_in_yaml():
    powers = json.loads(schema_files()["powers.schema.json"])
    power = powers["$defs"]["Power"]["properties"]
    assert powers["type"] == "array"
    assert power["code"]["anyOf"][0] == {"type": "string"}
    assert power["effective"]["anyOf"][0] == {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    assert power["category"]["enum"][:2] == ["行政许可", "行政处罚"]
    assert power["status"]["enum"] == ["有效", "已取消", "已下放", "已调整", "暂停"]
    assert powers["$defs"]["Power"]["additionalProperties"] is False
    site = json.loads(schema_files()["site.schema.json"])
    assert site["type"] == "object" and site["required"] == ["name", "region", "publisher"]


@pytest.mark.parametrize("root,path", content_files(), ids=lambda x: x.name if isinstance(x, Path) else str(x))
def test_example_content_validates_against_its_schema(root, path):
    kind = kind_of(path, root)
    assert kind is not None, path
    loaded = load_file(path, str(path))
    assert not loaded.problems
    errors = sorted(validator(kind.name).iter_errors(loaded.data), key=str)
    assert not errors, f"{path}: {errors[0].json_path}: {errors[0].message}"


@pytest.mark.parametrize("yaml_text,expected", [
    ("- id: a\n  name: 甲\n  category: 行政许可\n  basis: [{law: 某法}]\n  status: 有效\n  nmae: x\n", "Additional properties"),
    ("- id: a\n  name: 甲\n  category: 行政许可证\n  basis: [{law: 某法}]\n  status: 有效\n", "is not one of"),
    ("- id: a\n  code: 0123\n  name: 甲\n  category: 行政许可\n  basis: [{law: 某法}]\n  status: 有效\n", "is not of type 'string'"),
    ("- id: a\n  name: 甲\n  category: 行政许可\n  basis: [{law: 某法}]\n  status: 有效\n  effective: 2024/1/2\n", "does not match"),
    ("- id: a\n  name: 甲\n  category: 行政许可\n  basis: []\n  status: 有效\n", "should be non-empty"),
])
def test_schema_refuses_what_the_validator_refuses(yaml_text, expected):
    data = load_file_text(yaml_text)
    messages = [m for e in validator("powers").iter_errors(data) for m in (e.message, *(c.message for c in e.context))]
    assert any(expected in m for m in messages), messages


def test_black_board_entry_needs_publication_end():
    issue = {"id": "2024-01", "title": "t", "publisher": "p", "published": "2024-01-01", "entries": [
        {"id": "e1", "board": "black", "subject": "某公司", "subject_kind": "企业", "facts": "f", "status": "公示中"}]}
    assert ["'publish_until' is a required property"] == [e.message for e in validator("boards").iter_errors(issue)]
    issue["entries"][0]["board"] = "red"
    assert not list(validator("boards").iter_errors(issue))


def load_file_text(text: str):
    from generator.content.load import load_text

    data, problems = load_text(text, "x.yaml")
    assert not problems
    return data


def test_vscode_settings_map_every_schema_to_its_content_files():
    settings = json.loads((REPO / ".vscode" / "settings.json").read_text("utf-8"))
    assert settings == vscode_settings()
    mapping = settings["yaml.schemas"]
    for kind in file_kinds():
        assert mapping[f"./schemas/{kind.name}.schema.json"] == f"content/{kind.glob}"
        assert (REPO / "schemas" / f"{kind.name}.schema.json").is_file()


def test_schema_command_writes_every_file(tmp_path, capsys):
    assert main(["schema", "-o", str(tmp_path / "out")]) == 0
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == sorted(schema_files())
    assert (tmp_path / "out" / "powers.schema.json").read_text("utf-8") == schema_files()["powers.schema.json"]


def _check_jsonschema(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "check_jsonschema", *args], capture_output=True, text=True)


def test_schemas_pass_check_jsonschema_with_ecma_regexes():
    """Tools other than VS Code's YAML extension (check-jsonschema, ajv) read the regexes as
    ECMA-262, JSON Schema's dialect; check-jsonschema checks them with that dialect."""
    done = _check_jsonschema("--check-metaschema", *map(str, sorted((REPO / "schemas").glob("*.schema.json"))))
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("kind", ["site", "departments", "powers", "policies", "boards", "measures"])
def test_example_content_validates_with_check_jsonschema(kind):
    files = [str(path) for root, path in content_files() if (found := kind_of(path, root)) is not None and found.name == kind]
    assert files
    done = _check_jsonschema("--schemafile", str(REPO / "schemas" / f"{kind}.schema.json"), *files)
    assert done.returncode == 0, done.stdout + done.stderr
