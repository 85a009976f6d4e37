"""Typed ``private_metadata`` for modals.

Metadata travels through the user's client, so it is input like any other: decode it with the
model, then look every id up again scoped by the request's team_id.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

PRIVATE_METADATA_LIMIT = 3000

M = TypeVar("M", bound="ViewMetadata")


class MetadataError(Exception):
    pass


class ViewMetadata(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def encode(self) -> str:
        text = self.model_dump_json(exclude_defaults=True)
        if len(text) > PRIVATE_METADATA_LIMIT:
            raise MetadataError(f"private_metadata is {len(text)} characters, over Slack's {PRIVATE_METADATA_LIMIT}")
        return text

    @classmethod
    def decode(cls: type[M], text: str | None) -> M:
        try:
            return cls.model_validate_json(text or "{}")
        except ValidationError as error:
            raise MetadataError(f"unreadable private_metadata for {cls.__name__}") from error
