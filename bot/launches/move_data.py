"""What moving a date changed, as the move's messages show it: pure data beside ``data``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class PhaseMove:
    phase_id: int
    name: str
    old: date
    new: date


@dataclass(frozen=True)
class ItemMove:
    item_id: int
    title: str
    owner_id: str
    offset: int
    old: date
    new: date


@dataclass(frozen=True)
class Move:
    """One move of the plan: the phases that moved (the picked one first), the open items that
    moved with them, who moved it and why."""

    launch_id: int
    launch_name: str
    staggered: bool
    moved_by: str
    reason: str
    phases: tuple[PhaseMove, ...]
    items: tuple[ItemMove, ...]

    @property
    def days(self) -> int:
        first = self.phases[0]
        return (first.new - first.old).days

    def owners(self) -> list[str]:
        """Everyone with a moved item, in the order their first item appears."""
        return list(dict.fromkeys(i.owner_id for i in self.items))

    def items_of(self, owner_id: str) -> list[ItemMove]:
        return [i for i in self.items if i.owner_id == owner_id]
