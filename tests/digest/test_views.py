"""Pure view builders: limits, truncation, left-out sections, date tokens, escaping."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.digest import data, forms, views
from bot.digest.data import DigestSettings
from bot.digest.ids import Section
from bot.slack.blocks import MESSAGE_BLOCK_LIMIT, SECTION_TEXT_LIMIT
from tests.support.conformance import check_message, check_view

END = datetime(2026, 11, 23, 9, tzinfo=UTC)
START = END - timedelta(days=7)


def _texts(blocks: list[dict]) -> str:
    return "\n".join(b["text"]["text"] for b in blocks if "text" in b and isinstance(b["text"], dict))


def _huge_digest() -> data.Digest:
    long = "x" * 900
    lines = tuple(data.InsightLine(n, f"{long} {n}", "Enterprise", "", 10 - n, "U1") for n in range(3))
    groups = tuple(data.CategoryGroup(f"c{i}", f"Category {i}", 400, lines) for i in range(12))
    asks = tuple(data.Ask("U1", "U2", long, START, "Sync") for _ in range(5))
    return data.Digest(
        team_id="T1",
        start=START,
        end=END,
        standups=data.StandupSection(
            participation=(data.SideParticipation("product", data.Trend(10, 4), 12),),
            blockers=tuple(data.Blocker("U3", "Sync", long, START) for _ in range(5)),
            blockers_total=40,
            asks=asks,
            asks_total=77,
        ),
        insights=data.InsightsSection(data.Trend(4800, 5000), groups * 4, ()),
        actions=data.ActionsSection(
            done=data.Trend(3, 0),
            done_items=(),
            overdue_total=9,
            open_total=30,
            open_items=tuple(data.ActionLine(long, "U4", date(2026, 11, 1), True) for _ in range(5)),
        ),
    )


def test_a_huge_week_fits_in_one_valid_message() -> None:
    message = views.build_digest_message(_huge_digest())
    blocks = message["blocks"]
    assert len(blocks) <= MESSAGE_BLOCK_LIMIT
    assert all(len(b["text"]["text"]) <= SECTION_TEXT_LIMIT for b in blocks if b["type"] == "section")
    assert check_message({"channel": "C1", **message}) == []
    text = _texts(blocks)
    assert "…and 72 more in Tandem's Home tab" in text  # asks: 77, 5 shown
    assert blocks[-1]["type"] == "context" and "more in Tandem's Home tab" in blocks[-1]["elements"][0]["text"]


def test_sections_with_nothing_to_say_are_left_out_and_dates_are_tokens() -> None:
    digest = data.Digest(
        team_id="T1",
        start=START,
        end=END,
        loop=data.LoopSection(
            (data.StatusChange(7, "Dark <mode> & *more*", "U9", "new", "shipped", START),), data.Trend(1, 3)
        ),
    )
    blocks = views.build_digest_blocks(digest)
    text = _texts(blocks) + str(blocks[1])
    assert "Loop closed" in text and "▼2 vs last week" in text
    assert "Stand-ups" not in text and "Customer insights" not in text and "Partnership" not in text
    assert f"<!date^{int(START.timestamp())}^" in text
    assert "Dark &lt;mode&gt; &amp; *\u200bmore*\u200b" in text  # escaped, formatting defused
    assert ":rocket: Shipped" in text


def test_an_empty_week_says_so_and_the_terminal_text_is_readable() -> None:
    blocks = views.build_digest_blocks(data.Digest(team_id="T1", start=START, end=END))
    assert "A quiet week" in _texts(blocks)
    printed = views.blocks_to_text(views.build_digest_blocks(_huge_digest()))
    assert "<!date" not in printed and "&lt;" not in printed
    assert printed.startswith(views.TITLE + "\n")
    assert "@U2 owes @U1" in printed


def test_setup_modal_is_valid_and_round_trips() -> None:
    modal = views.build_setup_modal(
        channel_id="C1", weekday=0, local_time="09:00", timezone="Europe/Berlin", sections=[], digest_id=4
    )
    assert check_view(modal) == []
    values = {
        "digest_channel": {"channel": {"type": "conversations_select", "selected_conversation": "C1"}},
        "digest_weekday": {"weekday": {"type": "static_select", "selected_option": {"value": "2"}}},
        "digest_time": {"time": {"type": "timepicker", "selected_time": "10:30"}},
        "digest_timezone": {"timezone": {"type": "plain_text_input", "value": " Europe/Berlin "}},
        "digest_sections": {"sections": {"type": "checkboxes", "selected_options": [{"value": "insights"}]}},
    }
    assert forms.parse_setup(values) == DigestSettings("C1", 2, "10:30", "Europe/Berlin", (Section.INSIGHTS,))
    assert forms.SetupMetadata.decode(modal["private_metadata"]).digest_id == 4


def test_open_asks_show_their_age_and_who_was_off_for_a_holiday() -> None:
    digest = data.Digest(
        team_id="T1",
        start=START,
        end=END,
        standups=data.StandupSection(
            participation=(data.SideParticipation("product", data.Trend(3, 2), 4),),
            blockers=(),
            blockers_total=0,
            asks=(data.Ask("U1", "U2", "Launch copy", START, "Sync", 3), data.Ask("U1", "U3", "Deck", END, "Sync", 1)),
            asks_total=2,
            off=(data.Off("U4", "Pentecost <Monday>", date(2026, 11, 16)),),
        ),
    )
    message = views.build_digest_message(digest)
    assert check_message({"channel": "C1", **message}) == []
    text = _texts(message["blocks"])
    assert "3 working days open" in text and "1 working day open" in text
    assert "Off for a holiday" in text and "<@U4>: Pentecost &lt;Monday&gt; (Mon 16 Nov)" in text
    assert "<!" not in text.replace("<!date^", "")  # never a channel-wide mention
