"""Retro templates: the prompts each one asks, and the partnership-health rating scale.

Prompts are copied onto each retro when it opens, so editing a series later never rewrites
what an earlier retro asked.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.retro.ids import RetroTemplate, Side, Strand

MAX_PROMPTS = 10  # radio buttons hold 10 options; a retro with more prompts is hard to answer anyway
MAX_PROMPT_LENGTH = 150
INSIGHTS_PROMPT = "What do the customer insights since last time tell us?"


@dataclass(frozen=True)
class Template:
    key: RetroTemplate
    name: str
    prompts: tuple[str, ...]
    rates_partnership: bool = False


TEMPLATES: dict[RetroTemplate, Template] = {
    t.key: t
    for t in (
        Template(
            RetroTemplate.WELL_NOT_TRY,
            "Went well / Didn't go well / Try next",
            ("Went well", "Didn't go well", "Try next"),
        ),
        Template(RetroTemplate.START_STOP_CONTINUE, "Start / Stop / Continue", ("Start", "Stop", "Continue")),
        Template(RetroTemplate.FOUR_LS, "4Ls", ("Liked", "Learned", "Lacked", "Longed for")),
        Template(
            RetroTemplate.LAUNCH,
            "Launch retro",
            ("Goals and success metrics", "Rollout", "Messaging and positioning", "Feedback loops"),
        ),
        Template(
            RetroTemplate.ALIGNMENT,
            "Alignment check",
            (
                "What do we both need to succeed?",
                "How can we make customer feedback more central to our decisions?",
                "Where are we assuming alignment, but missing it?",
            ),
        ),
        Template(
            RetroTemplate.PARTNERSHIP,
            "Partnership health",
            ("Trust and respect", "Shared ownership of goals", "Long-term planning"),
            rates_partnership=True,
        ),
        Template(RetroTemplate.CUSTOM, "Custom prompts", ()),
    )
}

STRAND_NAMES: dict[Strand, str] = {
    Strand.TRUST: "Trust and respect",
    Strand.OWNERSHIP: "Shared ownership of goals",
    Strand.PLANNING: "Long-term planning",
}

SIDE_NAMES: dict[Side, str] = {Side.PRODUCT: "Product", Side.MARKETING: "Marketing", Side.OTHER: "Other"}

RATING_SCALE: dict[int, str] = {1: "1 — poor", 2: "2", 3: "3 — okay", 4: "4", 5: "5 — great"}


class PromptError(ValueError):
    """Custom prompts that cannot be used. ``str()`` is user-presentable."""


def parse_custom_prompts(text: str) -> list[str]:
    """One prompt per non-empty line; raises PromptError with the fix."""
    prompts = [line.strip(" \t-•*") for line in text.splitlines()]
    prompts = [p for p in prompts if p]
    if not prompts:
        raise PromptError("Add at least one prompt, one per line.")
    if len(prompts) > MAX_PROMPTS:
        raise PromptError(f"Use at most {MAX_PROMPTS} prompts (you have {len(prompts)}).")
    for prompt in prompts:
        if len(prompt) > MAX_PROMPT_LENGTH:
            raise PromptError(f"Keep each prompt under {MAX_PROMPT_LENGTH} characters: “{prompt[:30]}…” is longer.")
    return prompts


def prompts_for(template: RetroTemplate, custom: list[str] | None = None) -> list[str]:
    if template is RetroTemplate.CUSTOM:
        return list(custom or [])
    return list(TEMPLATES[template].prompts)
