"""The record kinds: one module each, listed once here. The core loops over KINDS."""

from __future__ import annotations

from generator.kinds import boards, events, measures, policies, powers
from generator.kinds.base import Kind


def _registry(*kinds: Kind) -> dict[str, Kind]:
    registry: dict[str, Kind] = {}
    for kind in kinds:
        if kind.name in registry:
            raise ValueError(f"record kind {kind.name!r} registered twice")
        registry[kind.name] = kind
    return registry


KINDS = _registry(powers.KIND, policies.KIND, boards.KIND, measures.KIND, events.KIND)
