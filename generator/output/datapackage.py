"""/datapackage.json: the open data described as a Frictionless Data Package (datapackage.org).

One resource per CSV of /data/ (export.py), each with a Table Schema: every column named
with its Chinese title (Kind.data_titles), dates typed as dates (Kind.data_dates) and every
other column, codes, phone numbers and ids included, a string, so that no tool reads a
13-digit code as a number. The file depends only on the kinds and site.yaml, never on the
records, so a build and its slices joined by `merge` write the same bytes (slice 1 writes it).
"""

from __future__ import annotations

import json
from typing import Any

from generator.kinds import KINDS
from generator.site.model import Site


def datapackage(site: Site) -> bytes:
    resources: list[dict[str, Any]] = []
    for kind in KINDS.values():
        if kind.data_rows is None:
            continue
        missing = [c for c in kind.data_columns if c not in kind.data_titles]
        if missing:  # a bug in the kind, not in the content
            raise ValueError(f"{kind.name}: data columns {missing} have no title in Kind.data_titles")
        fields = [{"name": c, "title": kind.data_titles[c], "type": "date" if c in kind.data_dates else "string"}
                  for c in kind.data_columns]
        resources.append({
            "name": kind.name,
            "title": f"{site.info.name}：{kind.label}",
            "path": f"data/{kind.name}.csv",  # relative to this file, as the standard asks
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8-sig",
            "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
            "schema": {"fields": fields, "primaryKey": ["id"], "missingValues": [""]},
        })
    package = {
        "name": "open-data",
        "title": f"{site.info.name}开放数据",
        "description": f"{site.info.publisher}公开的{'、'.join(KINDS[r['name']].label for r in resources)}数据。"
                       + (site.info.license or ""),
        "resources": resources,
    }
    if "CC BY 4.0" in (site.info.license or ""):  # the license site.yaml states, by its Open Definition id
        package["licenses"] = [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                                "title": "Creative Commons Attribution 4.0"}]
    if site.info.base_url:
        package["homepage"] = site.info.base_url
    return json.dumps(package, ensure_ascii=False, indent=1).encode("utf-8")
