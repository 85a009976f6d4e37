"""bot.playground.render: Block Kit, modals and mrkdwn as safe HTML for the playground page."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.playground.render import (
    EMOJI,
    RenderContext,
    render_blocks,
    render_message,
    render_mrkdwn,
    render_plain,
    render_text,
    render_view,
    safe_url,
)
from bot.slack import blocks as bk
from bot.slack.text import escape, plain, slack_date
from tests.playground.htmlcheck import Tag, assert_safe, parse

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
# Wednesday 25 November 2026, 12:00 UTC: 07:00 in New York, 13:00 in Berlin.
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
CTX = RenderContext(
    tz=NEW_YORK,
    now=NOW,
    users={"U1": "Pat Lee", "U2": "Max <Mustermann>"},
    channels={"C1": "launch", "C2": "marketing-team"},
    usergroups={"S1": "marketing"},
    files={"F1": "/files/F1/chart.png"},
)
HOSTILE = "\"><img src=x onerror=alert(1)><script>alert('x')</script>'"
URL_HOSTILE = "https://example.com/\"><svg/onload=alert(1)>'"  # no space: a URL that passes the scheme check


def in_zone(zone: ZoneInfo) -> RenderContext:
    return RenderContext(tz=zone, now=NOW, users=CTX.users, channels=CTX.channels, usergroups=CTX.usergroups)


def md(text: str, ctx: RenderContext = CTX, **kwargs: Any) -> Tag:
    return assert_safe(render_mrkdwn(text, ctx, **kwargs))


def shown(text: str, ctx: RenderContext = CTX) -> str:
    """What a reader sees of a mrkdwn text (the browser's text, entities decoded)."""
    return md(text, ctx).text


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


# --- mrkdwn: formatting -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tag", "inner"),
    [
        ("*bold*", "strong", "bold"),
        ("_italic_", "em", "italic"),
        ("~strike~", "del", "strike"),
        ("`code`", "code", "code"),
        ("a *two words* b", "strong", "two words"),
    ],
)
def test_each_formatting_marker(text: str, tag: str, inner: str) -> None:
    assert md(text).find(tag).text == inner


def test_formatting_nests_and_wraps_mentions() -> None:
    root = md("*bold _and italic_* then ~<@U1>~")
    assert root.find("strong").find("em").text == "and italic"
    assert root.find("del").find("span").text == "@Pat Lee"


@pytest.mark.parametrize(
    "text",
    [
        "snake_case_name",
        "2*3*4",
        "a_b_c and x*y",
        "* not bold *",
        "_ spaced_",
        "*unclosed",
        "file_name_.txt",
        "word*bold*word",
    ],
)
def test_markers_need_word_boundaries(text: str) -> None:
    root = md(text)
    assert not root.find_all("strong") and not root.find_all("em") and not root.find_all("del")
    assert root.text == text


def test_text_defused_by_slack_text_plain_stays_literal() -> None:
    hostile = "*bold* _it_ ~x~ `code` ```pre```"
    root = md(f"*{plain(hostile)}*")
    assert [t.name for t in root.find("strong").find_all()] == []
    assert root.find("strong").text.replace("\u200b", "") == hostile


def test_no_formatting_inside_code_or_pre() -> None:
    root = md("`*not bold* _x_ :tada:` and ```\n*pre* _x_\nline two\n```")
    assert root.find("code").text == "*not bold* _x_ :tada:"
    assert root.find("pre").text == "*pre* _x_\nline two"
    assert not root.find_all("strong") and not root.find_all("em")


def test_pre_block_keeps_line_breaks_and_text_around_it() -> None:
    root = md("before\n```a\n  b```\nafter")
    assert root.find("pre").text == "a\n  b"
    assert root.text == "beforea\n  bafter"


def test_quote_lines_group_into_one_quote_and_both_spellings_work() -> None:
    root = md("> first\n&gt; second\nnot quoted\n>third")
    quotes = root.find_all("blockquote")
    assert [q.text for q in quotes] == ["firstsecond", "third"]
    assert len(quotes[0].find_all("br")) == 1
    assert "not quoted" in root.text


def test_lists_and_line_breaks_are_shown_as_written() -> None:
    root = md("Agenda:\n• one\n- two\n1. three\n\nend")
    assert root.text == "Agenda:• one- two1. threeend"
    assert len(root.find_all("br")) == 5
    assert not root.find_all("ul") and not root.find_all("ol")


def test_slack_escapes_are_decoded_once_and_html_escaped() -> None:
    markup = render_mrkdwn("a &amp; b &lt;tag&gt; &amp;lt;literal&amp;gt; 1 < 2", CTX)
    assert "&amp;lt;literal&amp;gt;" in markup  # shows "&lt;literal&gt;": decoded once only
    assert parse(markup).text == "a & b <tag> &lt;literal&gt; 1 < 2"
    assert "<tag>" not in markup


def test_escape_round_trip_with_tandem_escape() -> None:
    text = "<script>alert(1)</script> & <@U1> <!channel>"
    assert shown(escape(text)) == text
    assert not md(escape(text)).by_class("bk-mention")


# --- mrkdwn: links --------------------------------------------------------------------------------


def test_links_with_and_without_label_and_mailto() -> None:
    root = md("<https://example.com/a?x=1&amp;y=2|the *doc*> <http://example.org> <mailto:pat@example.com|Pat>")
    links = root.find_all("a")
    assert [(a.attrs["href"], a.text) for a in links] == [
        ("https://example.com/a?x=1&y=2", "the *doc*"),
        ("http://example.org", "http://example.org"),
        ("mailto:pat@example.com", "Pat"),
    ]
    assert all(a.attrs["target"] == "_blank" and a.attrs["rel"] == "noopener noreferrer" for a in links)


def test_no_formatting_inside_link_urls() -> None:
    root = md("<https://example.com/_a_/*b*|x> and https://example.com/_c_/~d~")
    assert [a.attrs["href"] for a in root.find_all("a")] == [
        "https://example.com/_a_/*b*",
        "https://example.com/_c_/~d~",
    ]
    assert not root.find_all("em") and not root.find_all("strong") and not root.find_all("del")


def test_bare_urls_are_linked_unless_verbatim() -> None:
    root = md("see https://example.com/path, then (http://x.org).")
    assert [a.attrs["href"] for a in root.find_all("a")] == ["https://example.com/path", "http://x.org"]
    assert not md("see https://example.com/path", verbatim=True).find_all("a")
    mail = md("write to pat.lee+x@example.co.uk, or not@all")
    assert [(a.attrs["href"], a.text) for a in mail.find_all("a")] == [
        ("mailto:pat.lee+x@example.co.uk", "pat.lee+x@example.co.uk")
    ]
    # verbatim still parses <...> entities, as Slack does
    verbatim = md("<https://example.com|label> <@U1>", verbatim=True)
    assert verbatim.find("a").attrs["href"] == "https://example.com"
    assert verbatim.find("span", **{"class": "bk-mention bk-mention--user"}).text == "@Pat Lee"
    assert render_text({"type": "mrkdwn", "text": "https://a.example", "verbatim": True}, CTX).count("<a ") == 0
    assert render_text({"type": "mrkdwn", "text": "https://a.example"}, CTX).count("<a ") == 1


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        " javascript:alert(1)",
        "\x01javascript:alert(1)",
        "javascript&#58;alert(1)",
        "&#106;avascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "/relative/path",
        "//evil.example.com/x",
        "http:/no-host",
        "https://ex ample.com",
        "https:\u200b//example.com",
        "file:///etc/passwd",
        "ftp://example.com",
        "mailto:",
    ],
)
def test_unsafe_urls_are_never_clickable(url: str) -> None:
    assert safe_url(url) is None
    for text in (f"<{escape(url)}|click me>", f"<{escape(url)}>"):
        root = md(text)
        assert not root.find_all("a"), text
    assert "click me" in md(f"<{escape(url)}|click me>").text
    button = assert_safe(render_blocks([bk.actions(bk.button("Go", "go", url=url))], CTX))
    assert not button.find_all("a") and button.find("button").text == "Go"
    image = assert_safe(render_blocks([{"type": "image", "image_url": url, "alt_text": "a chart"}], CTX))
    assert not image.find_all("img") and "a chart" in image.text


def test_safe_urls_are_kept() -> None:
    for url in ("https://example.com/x?y=1#z", "HTTP://EXAMPLE.COM", "mailto:a@b.example"):
        assert safe_url(url) == url


def test_text_in_angle_brackets_that_is_not_a_link_shows_as_written() -> None:
    assert shown("<script>alert(1)</script>") == "<script>alert(1)</script>"


# --- mrkdwn: mentions ---------------------------------------------------------------------------


def test_mentions_become_pills() -> None:
    root = md(
        "<@U1> <@U404> <#C1> <#C9|general> <#C404> <!subteam^S1> <!subteam^S9|@design> <!here> <!channel> "
        "<!everyone> <!here|here>"
    )
    pills = [(sorted(t.classes())[1], t.text) for t in root.by_class("bk-mention")]
    assert pills == [
        ("bk-mention--user", "@Pat Lee"),
        ("bk-mention--user", "@U404"),
        ("bk-mention--channel", "#launch"),
        ("bk-mention--channel", "#general"),
        ("bk-mention--channel", "#C404"),
        ("bk-mention--usergroup", "@marketing"),
        ("bk-mention--usergroup", "@design"),
        ("bk-mention--broadcast", "@here"),
        ("bk-mention--broadcast", "@channel"),
        ("bk-mention--broadcast", "@everyone"),
        ("bk-mention--broadcast", "@here"),
    ]


def test_display_names_are_escaped() -> None:
    markup = render_mrkdwn("<@U2>", CTX)
    assert "Max &lt;Mustermann&gt;" in markup and parse(markup).text == "@Max <Mustermann>"


# --- mrkdwn: dates ------------------------------------------------------------------------------

# Tuesday 24 November 2026 23:30 in New York is Wednesday 25 November 05:30 in Berlin.
LATE_TUESDAY = datetime(2026, 11, 24, 23, 30, 15, tzinfo=NEW_YORK)


@pytest.mark.parametrize(
    ("fmt", "new_york", "berlin"),
    [
        ("{date_num}", "2026-11-24", "2026-11-25"),
        ("{date}", "November 24th, 2026", "November 25th, 2026"),
        ("{date_short}", "Nov 24, 2026", "Nov 25, 2026"),
        ("{date_long}", "Tuesday, November 24th, 2026", "Wednesday, November 25th, 2026"),
        ("{date_pretty}", "Yesterday", "Today"),
        ("{date_short_pretty} at {time}", "Yesterday at 11:30 PM", "Today at 5:30 AM"),
        ("{date_long_pretty}", "Yesterday", "Today"),
        ("{time}", "11:30 PM", "5:30 AM"),
        ("{time_secs}", "11:30:15 PM", "5:30:15 AM"),
        ("Posted {date_num} {time_secs}", "Posted 2026-11-24 11:30:15 PM", "Posted 2026-11-25 5:30:15 AM"),
        ("{ago}", "7 hours ago", "7 hours ago"),
        ("{date_slash}", "24/11/2026", "25/11/2026"),
        ("{date_long_full}", "November 24, 2026", "November 25, 2026"),
        ("{day_divider_pretty}", "Yesterday", "Today"),
    ],
)
def test_date_tokens_in_the_readers_zone_across_a_date_line(fmt: str, new_york: str, berlin: str) -> None:
    token = f"<!date^{epoch(LATE_TUESDAY)}^{fmt}|fallback>"
    assert shown(token, in_zone(NEW_YORK)) == new_york
    assert shown(token, in_zone(BERLIN)) == berlin
    assert md(token).find("time").attrs["datetime"] == "2026-11-25T04:30:15+00:00"


def test_pretty_dates_and_ago_relative_to_the_playground_clock() -> None:
    def show(moment: datetime, fmt: str) -> str:
        return shown(f"<!date^{epoch(moment)}^{fmt}|x>", in_zone(NEW_YORK))

    assert show(datetime(2026, 11, 25, 9, 0, tzinfo=NEW_YORK), "{date_pretty}") == "Today"
    assert show(datetime(2026, 11, 26, 0, 0, tzinfo=NEW_YORK), "{date_short_pretty}") == "Tomorrow"
    assert show(datetime(2026, 11, 27, 0, 0, tzinfo=NEW_YORK), "{date_short_pretty}") == "Nov 27, 2026"
    assert show(datetime(2026, 11, 22, 0, 0, tzinfo=NEW_YORK), "{date_long_pretty}") == "Sunday, November 22nd, 2026"
    assert show(datetime(2026, 11, 25, 11, 57, tzinfo=UTC), "{ago}") == "3 minutes ago"
    assert show(datetime(2026, 11, 25, 11, 59, 30, tzinfo=UTC), "{ago}") == "just now"
    assert show(datetime(2026, 11, 27, 12, 0, tzinfo=UTC), "{ago}") == "in 2 days"
    assert show(datetime(2026, 11, 25, 13, 0, tzinfo=UTC), "{ago}") == "in 1 hour"
    assert show(datetime(2025, 11, 1, tzinfo=UTC), "{ago}") == "1 year ago"
    assert show(datetime(2026, 12, 1, 12, 1, tzinfo=UTC), "{date} {time}") == "December 1st, 2026 7:01 AM"
    assert show(datetime(2026, 12, 12, 17, 0, tzinfo=UTC), "{date}") == "December 12th, 2026"
    assert show(datetime(2026, 12, 23, 17, 0, tzinfo=UTC), "{date} {time}") == "December 23rd, 2026 12:00 PM"
    assert show(datetime(2026, 12, 3, 5, 5, tzinfo=UTC), "{time}") == "12:05 AM"
    assert show(datetime(2026, 12, 3, 17, 0, tzinfo=UTC), "{day_divider_pretty}") == "Thursday, December 3rd"
    assert show(datetime(2027, 1, 1, 17, 0, tzinfo=UTC), "{day_divider_pretty}") == "Friday, January 1st, 2027"


def test_dates_follow_daylight_saving_time() -> None:
    def show(moment: datetime, zone: ZoneInfo) -> str:
        return shown(f"<!date^{epoch(moment)}^{{date_num}} {{time}}|x>", in_zone(zone))

    # New York springs forward on 8 March 2026 at 02:00 (EST -5 → EDT -4).
    assert show(datetime(2026, 3, 8, 6, 30, tzinfo=UTC), NEW_YORK) == "2026-03-08 1:30 AM"
    assert show(datetime(2026, 3, 8, 7, 30, tzinfo=UTC), NEW_YORK) == "2026-03-08 3:30 AM"
    # Berlin on 29 March 2026 (CET +1 → CEST +2), and the same instant shown in both zones.
    assert show(datetime(2026, 3, 29, 0, 30, tzinfo=UTC), BERLIN) == "2026-03-29 1:30 AM"
    assert show(datetime(2026, 3, 29, 1, 30, tzinfo=UTC), BERLIN) == "2026-03-29 3:30 AM"
    # Between the two switches New York is only 5 hours behind Berlin, not 6.
    assert show(datetime(2026, 3, 20, 12, 0, tzinfo=UTC), NEW_YORK) == "2026-03-20 8:00 AM"
    assert show(datetime(2026, 3, 20, 12, 0, tzinfo=UTC), BERLIN) == "2026-03-20 1:00 PM"


def test_bad_date_tokens_fall_back_and_links_are_checked() -> None:
    stamp = epoch(LATE_TUESDAY)
    assert shown(f"<!date^{stamp}^{{date_nope}} {{time}}|Tue 24 Nov &amp; later>") == "Tue 24 Nov & later"
    assert shown("<!date^notanumber^{date}|the fallback>") == "the fallback"
    linked = md(f"<!date^{stamp}^{{date_num}}^https://example.com/e|fb>").find("a")
    assert linked.attrs["href"] == "https://example.com/e" and linked.text == "2026-11-24"
    unlinked = md(f"<!date^{stamp}^{{date_num}}^javascript:alert(1)|fb>")
    assert not unlinked.find_all("a") and unlinked.text == "2026-11-24"


def test_tandem_slack_date_helper_renders() -> None:
    moment = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
    assert shown(slack_date(moment)) == "Today 11:00 AM"
    assert shown(slack_date(moment), in_zone(BERLIN)) == "Today 5:00 PM"


# --- emoji --------------------------------------------------------------------------------------


def test_emoji_shortcodes_become_unicode_and_unknown_ones_stay() -> None:
    root = md(":bulb: :white_check_mark: :warning: :calendar: :tada: :not_an_emoji: 10:30:00")
    assert root.text == "\U0001f4a1 \u2705 \u26a0\ufe0f \U0001f4c6 \U0001f389 :not_an_emoji: 10:30:00"
    assert (
        render_plain(":tada: *x*", CTX)
        == '<span class="bk-plain"><span class="bk-emoji" title=":tada:">\U0001f389</span> *x*</span>'
    )
    assert ":tada:" in parse(render_plain(":tada:", CTX, emoji=False)).text


def test_every_shortcode_tandem_writes_is_mapped() -> None:
    # Found with: grep -rhoE '"[^"]*:[a-z_]+:[^"]*"' bot/ (string literals only; ids like
    # "standup:{id}:prompt:{user}" are message keys, not text).
    used = {
        "arrows_counterclockwise",
        "bulb",
        "busts_in_silhouette",
        "calendar",
        "checkered_flag",
        "eyes",
        "gear",
        "hammer_and_wrench",
        "handshake",
        "mega",
        "memory",
        "new",
        "no_entry",
        "no_entry_sign",
        "ok_hand",
        "raised_hands",
        "raising_hand",
        "rocket",
        "sparkles",
        "spiral_calendar_pad",
        "sunrise",
        "warning",
        "wave",
        "white_check_mark",
    }
    assert used <= set(EMOJI)


# --- text objects -------------------------------------------------------------------------------


def test_plain_text_is_shown_literally() -> None:
    root = assert_safe(render_text({"type": "plain_text", "text": "*not bold* <@U1> &amp; <b>\nline"}, CTX))
    assert root.text == "*not bold* <@U1> &amp; <b>line" and len(root.find_all("br")) == 1
    assert render_text(None, CTX) == ""


# --- blocks -------------------------------------------------------------------------------------


def blocks(*items: dict[str, Any]) -> Tag:
    markup = render_blocks(list(items), CTX)
    assert "bk-unsupported" not in markup, markup
    return assert_safe(markup)


def test_section_with_text_fields_and_button_accessory() -> None:
    block = bk.section("*Hi* <@U1>", block_id="greet", accessory=bk.button("Open", "open_it", "42", style="primary"))
    block["fields"] = [bk.mrkdwn("*Product*\n1 answered"), bk.plain_text("Marketing")]
    root = blocks(block)
    section = root.find("div", data_block_id="greet")
    assert "bk-section" in section.classes() and section.attrs["data-block-index"] == "0"
    assert section.by_class("bk-section-text")[0].text == "Hi @Pat Lee"
    assert [f.text for f in section.by_class("bk-field")] == ["Product1 answered", "Marketing"]
    button = section.by_class("bk-accessory")[0].find("button")
    assert button.attrs == {
        "type": "button",
        "class": "bk-button bk-button--primary",
        "name": "greet/open_it",
        "data-element-type": "button",
        "data-block-id": "greet",
        "data-action-id": "open_it",
        "data-value": "42",
    }


@pytest.mark.parametrize(
    ("accessory", "tag"),
    [
        (
            {"type": "overflow", "action_id": "more", "options": [bk.option("Edit", "e"), bk.option("Delete", "d")]},
            "select",
        ),
        ({"type": "static_select", "action_id": "pick", "options": [bk.option("A", "a")]}, "select"),
        ({"type": "users_select", "action_id": "who"}, "select"),
        ({"type": "datepicker", "action_id": "day", "initial_date": "2026-11-30"}, "input"),
        ({"type": "image", "image_url": "https://example.com/i.png", "alt_text": "pic"}, "img"),
    ],
)
def test_section_accessories(accessory: dict[str, Any], tag: str) -> None:
    root = blocks(bk.section("text", block_id="b1", accessory=accessory))
    element = root.by_class("bk-accessory")[0].find(tag)
    if tag != "img":
        assert element.attrs["data-element-type"] == accessory["type"]
        assert element.attrs["data-block-id"] == "b1" and element.attrs["data-action-id"] == accessory["action_id"]


def test_overflow_options() -> None:
    overflow = {
        "type": "overflow",
        "action_id": "more",
        "options": [bk.option("Edit", "e"), {**bk.option("Docs", "d"), "url": "https://example.com/docs"}],
    }
    select = blocks(bk.actions(overflow, block_id="ab")).find("select")
    assert "bk-overflow" in select.classes()
    options = select.find_all("option")
    assert [(o.attrs["value"], o.text) for o in options] == [("", "\u22ef"), ("e", "Edit"), ("d", "Docs")]
    assert options[2].attrs["data-url"] == "https://example.com/docs"


def test_context_with_text_and_image() -> None:
    root = blocks(
        {
            "type": "context",
            "elements": [
                bk.mrkdwn("*Due* <!date^0^{date_num}|x>"),
                bk.plain_text("p"),
                {"type": "image", "image_url": "https://e.com/a.png", "alt_text": "a"},
            ],
        }
    )
    context = root.by_class("bk-context")[0]
    assert [t.text for t in context.by_class("bk-context-text")] == ["Due 1969-12-31", "p"]
    assert context.find("img").attrs["src"] == "https://e.com/a.png"


def test_actions_buttons_styles_and_confirm() -> None:
    danger = bk.button("Delete", "del", "7", style="danger")
    danger["confirm"] = {
        "title": bk.plain_text("Sure?"),
        "text": bk.mrkdwn("Delete *<#C1>*?"),
        "confirm": bk.plain_text("Delete"),
        "deny": bk.plain_text("Keep"),
    }
    root = blocks(
        bk.actions(
            bk.button("Save", "save", "1", style="primary"),
            danger,
            bk.button("Plain", "p"),
            bk.button("Docs", "docs", url="https://example.com/d"),
            block_id="acts",
        )
    )
    buttons = root.find_all("button")
    assert [sorted(b.classes()) for b in buttons] == [
        ["bk-button", "bk-button--primary"],
        ["bk-button", "bk-button--danger"],
        ["bk-button"],
    ]
    assert "data-value" not in buttons[2].attrs
    assert json.loads(buttons[1].attrs["data-confirm"] or "") == {
        "title": "Sure?",
        "text": "Delete *#launch*?",
        "confirm": "Delete",
        "deny": "Keep",
        "style": None,
    }
    link = root.find("a")
    assert link.attrs["href"] == "https://example.com/d" and link.attrs["data-action-id"] == "docs"
    assert "bk-button" in link.classes()


@pytest.mark.parametrize(
    "element",
    [
        {
            "type": "static_select",
            "action_id": "s",
            "options": [bk.option("A", "a"), bk.option("B", "b")],
            "initial_option": bk.option("B", "b"),
        },
        {"type": "external_select", "action_id": "s", "initial_option": bk.option("B", "b")},
        {"type": "users_select", "action_id": "s", "initial_user": "U1"},
        {"type": "conversations_select", "action_id": "s", "initial_conversation": "C1"},
        {"type": "channels_select", "action_id": "s", "initial_channel": "C1"},
        {"type": "overflow", "action_id": "s", "options": [bk.option("A", "a")]},
        {"type": "datepicker", "action_id": "s", "initial_date": "2026-11-30"},
        {"type": "timepicker", "action_id": "s", "initial_time": "09:30"},
        {"type": "checkboxes", "action_id": "s", "options": [bk.option("A", "a")]},
        {"type": "radio_buttons", "action_id": "s", "options": [bk.option("A", "a")]},
    ],
)
def test_interactive_elements_in_actions_carry_ids(element: dict[str, Any]) -> None:
    root = blocks(bk.actions(element, block_id="blk"))
    controls = [t for t in root.find_all() if t.attrs.get("data-element-type") == element["type"]]
    assert len(controls) == 1
    assert controls[0].attrs["data-block-id"] == "blk" and controls[0].attrs["data-action-id"] == "s"
    assert not any(name.startswith("on") for tag in root.find_all() for name in tag.attrs)


def test_header_divider_image_file_blocks() -> None:
    root = blocks(
        bk.header("Weekly :rocket: digest <b>"),
        bk.divider(),
        {
            "type": "image",
            "image_url": "https://example.com/c.png",
            "alt_text": "chart",
            "title": bk.plain_text("Chart"),
        },
        {"type": "image", "slack_file": {"id": "F1"}, "alt_text": "uploaded"},
        {"type": "image", "slack_file": {"id": "F404"}, "alt_text": "missing file"},
        {"type": "file", "external_id": "ABCD1", "source": "remote"},
    )
    assert root.find("h3").text == "Weekly \U0001f680 digest <b>"
    assert root.find_all("hr")
    images = root.find_all("img")
    assert [(i.attrs["src"], i.attrs["alt"]) for i in images] == [
        ("https://example.com/c.png", "chart"),
        ("/files/F1/chart.png", "uploaded"),
    ]
    assert root.find("figcaption").text == "Chart"
    assert "missing file" in root.by_class("bk-image-alt")[0].text
    assert "ABCD1" in root.by_class("bk-file")[0].text


def test_rich_text_block() -> None:
    block = {
        "type": "rich_text",
        "elements": [
            {
                "type": "rich_text_section",
                "elements": [
                    {"type": "text", "text": "Hi ", "style": {"bold": True}},
                    {"type": "user", "user_id": "U1"},
                    {"type": "text", "text": " see "},
                    {"type": "link", "url": "https://example.com", "text": "docs", "style": {"italic": True}},
                    {"type": "link", "url": "javascript:alert(1)", "text": "evil"},
                    {"type": "channel", "channel_id": "C1"},
                    {"type": "usergroup", "usergroup_id": "S1"},
                    {"type": "broadcast", "range": "channel"},
                    {"type": "emoji", "name": "tada"},
                    {"type": "emoji", "name": "custom_one"},
                    {"type": "emoji", "name": "grinning", "unicode": "1f600"},
                    {
                        "type": "date",
                        "timestamp": epoch(LATE_TUESDAY),
                        "format": "{date_short} {time}",
                        "fallback": "f",
                    },
                    {"type": "text", "text": "x", "style": {"code": True, "strike": True}},
                ],
            },
            {
                "type": "rich_text_list",
                "style": "ordered",
                "indent": 1,
                "offset": 2,
                "elements": [
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": "three"}]},
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": "four"}]},
                ],
            },
            {
                "type": "rich_text_list",
                "style": "bullet",
                "elements": [
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": "dot"}]},
                ],
            },
            {"type": "rich_text_quote", "elements": [{"type": "text", "text": "quoted"}]},
            {"type": "rich_text_preformatted", "elements": [{"type": "text", "text": "pre\n  code"}]},
        ],
    }
    root = blocks(block)
    section = root.by_class("bk-rt-section")[0]
    assert section.find("strong").text == "Hi "
    assert section.find("em").find("a").attrs["href"] == "https://example.com"
    assert len(section.find_all("a")) == 1 and "evil" in section.text
    assert [t.text for t in section.by_class("bk-mention")] == ["@Pat Lee", "#launch", "@marketing", "@channel"]
    assert "\U0001f389" in section.text and ":custom_one:" in section.text and "\U0001f600" in section.text
    assert section.find("time").text == "Nov 24, 2026 11:30 PM"
    assert section.find("del").find("code").text == "x"
    ordered = root.find("ol")
    assert ordered.attrs["start"] == "3" and "bk-rt-indent-1" in ordered.classes()
    assert [li.text for li in ordered.find_all("li")] == ["three", "four"]
    assert root.find("ul").find("li").text == "dot"
    assert root.find("blockquote").text == "quoted"
    assert root.find("pre").text == "pre  code" and len(root.find("pre").find_all("br")) == 1


def test_unknown_block_and_element_types_are_marked() -> None:
    markup = render_blocks(
        [{"type": "video", "title": bk.plain_text("v")}, bk.actions({"type": "workflow_button", "action_id": "w"})], CTX
    )
    root = assert_safe(markup)
    assert [t.text for t in root.by_class("bk-unsupported")] == [
        "[unsupported block: video]",
        "[unsupported element: workflow_button]",
    ]


# --- inputs and modals ------------------------------------------------------------------------


def modal(*items: dict[str, Any], errors: dict[str, str] | None = None, submit: str | None = "Save") -> Tag:
    markup = render_view(bk.modal("Set up", list(items), callback_id="cb", submit=submit), CTX, errors)
    assert "bk-unsupported" not in markup, markup
    return assert_safe(markup)


def control(root: Tag, block_id: str) -> Tag:
    """The form control of an input block (the element carrying the block's id and an element type)."""
    return next(t for t in root.find_all(None, data_block_id=block_id) if "data-element-type" in t.attrs)


def test_modal_chrome_submit_close_and_no_submit() -> None:
    root = modal(bk.section("Hello"))
    dialog = root.by_class("bk-modal")[0]
    assert dialog.attrs["data-callback-id"] == "cb" and dialog.attrs["data-view-type"] == "modal"
    assert root.find("h2").text == "Set up"
    assert root.find("button", data_role="submit").text == "Save"
    assert [b.text for b in root.find_all("button", data_role="close")] == ["\u00d7", "Cancel"]
    assert not modal(bk.section("Hello"), submit=None).find_all("button", data_role="submit")


def test_input_block_label_optional_hint_error_dispatch() -> None:
    block = bk.input_block(
        "Name <b>",
        bk.text_input("name", initial="Launch", max_length=80, placeholder="e.g. x"),
        block_id="name_block",
        optional=True,
        hint="Shown to everyone",
        dispatch_action=True,
    )
    root = modal(block, errors={"name_block": "Pick another name <script>"})
    wrapper = root.find("div", data_block_id="name_block")
    assert "bk-input" in wrapper.classes() and wrapper.attrs["data-dispatch"] == "1"
    assert wrapper.find("label").text == "Name <b> (optional)"
    assert wrapper.by_class("bk-input-hint")[0].text == "Shown to everyone"
    error = wrapper.find("div", role="alert")
    assert error.text == "Pick another name <script>" and "bk-input-error" in error.classes()
    field = wrapper.find("input")
    assert field.attrs["name"] == "name_block/name" and field.attrs["value"] == "Launch"
    assert field.attrs["maxlength"] == "80" and field.attrs["placeholder"] == "e.g. x"
    assert field.attrs["data-element-type"] == "plain_text_input"
    assert not modal(block).find_all("div", role="alert")


def test_text_inputs_multiline_email_url_number() -> None:
    root = modal(
        bk.input_block(
            "Notes",
            {
                "type": "plain_text_input",
                "action_id": "a",
                "multiline": True,
                "initial_value": "l1\nl2 </textarea><script>",
                "min_length": 3,
            },
            block_id="notes",
        ),
        bk.input_block("Email", {"type": "email_text_input", "action_id": "a"}, block_id="email"),
        bk.input_block(
            "Link", {"type": "url_text_input", "action_id": "a", "initial_value": "https://x"}, block_id="url"
        ),
        bk.input_block(
            "Days",
            {
                "type": "number_input",
                "action_id": "a",
                "is_decimal_allowed": False,
                "min_value": "0",
                "max_value": "30",
                "initial_value": "3",
            },
            block_id="days",
        ),
        bk.input_block(
            "Score", {"type": "number_input", "action_id": "a", "is_decimal_allowed": True}, block_id="score"
        ),
    )
    notes = control(root, "notes")
    assert notes.name == "textarea" and notes.text == "l1\nl2 </textarea><script>" and notes.attrs["minlength"] == "3"
    assert control(root, "email").attrs["type"] == "email"
    assert control(root, "url").attrs["type"] == "url" and control(root, "url").attrs["value"] == "https://x"
    days = control(root, "days")
    assert (days.attrs["type"], days.attrs["min"], days.attrs["max"], days.attrs["step"], days.attrs["value"]) == (
        "number",
        "0",
        "30",
        "1",
        "3",
    )
    assert control(root, "score").attrs["step"] == "any"


def test_static_selects_with_groups_and_initial_options() -> None:
    groups = [
        {"label": bk.plain_text("Product"), "options": [bk.option("Pat", "U1")]},
        {"label": bk.plain_text("Marketing"), "options": [bk.option("Max", "U2"), bk.option("Mia", "U3")]},
    ]
    root = modal(
        bk.input_block(
            "One",
            {
                "type": "static_select",
                "action_id": "a",
                "placeholder": bk.plain_text("Pick"),
                "options": [bk.option("A", "a"), bk.option("B", "b")],
                "initial_option": bk.option("B", "b"),
            },
            block_id="one",
        ),
        bk.input_block(
            "Many",
            {
                "type": "multi_static_select",
                "action_id": "a",
                "option_groups": groups,
                "initial_options": [bk.option("Max", "U2"), bk.option("Mia", "U3")],
            },
            block_id="many",
        ),
    )
    one = control(root, "one")
    assert [(o.attrs["value"], o.text, "selected" in o.attrs) for o in one.find_all("option")] == [
        ("", "Pick", False),
        ("a", "A", False),
        ("b", "B", True),
    ]
    many = control(root, "many")
    assert "multiple" in many.attrs and many.attrs["data-element-type"] == "multi_static_select"
    assert [g.attrs["label"] for g in many.find_all("optgroup")] == ["Product", "Marketing"]
    assert [o.attrs["value"] for o in many.find_all("option") if "selected" in o.attrs] == ["U2", "U3"]


def test_user_and_conversation_selects_list_the_workspace() -> None:
    root = modal(
        bk.input_block("Who", {"type": "users_select", "action_id": "a", "initial_user": "U2"}, block_id="who"),
        bk.input_block(
            "People", {"type": "multi_users_select", "action_id": "a", "initial_users": ["U1", "U9"]}, block_id="people"
        ),
        bk.input_block(
            "Where",
            {
                "type": "conversations_select",
                "action_id": "a",
                "initial_conversation": "C2",
                "default_to_current_conversation": True,
            },
            block_id="where",
        ),
        bk.input_block(
            "Chans",
            {"type": "multi_conversations_select", "action_id": "a", "initial_conversations": ["C1"]},
            block_id="chans",
        ),
        bk.input_block("Ch", {"type": "channels_select", "action_id": "a"}, block_id="ch"),
        bk.input_block(
            "Chs", {"type": "multi_channels_select", "action_id": "a", "initial_channels": ["C2"]}, block_id="chs"
        ),
    )

    def options(block_id: str) -> list[tuple[str, str, bool]]:
        return [
            (o.attrs["value"] or "", o.text, "selected" in o.attrs) for o in control(root, block_id).find_all("option")
        ]

    assert options("who") == [("", "Select an item", False), ("U2", "Max <Mustermann>", True), ("U1", "Pat Lee", False)]
    assert options("people") == [("U2", "Max <Mustermann>", False), ("U1", "Pat Lee", True), ("U9", "U9", True)]
    assert options("where") == [
        ("", "Select an item", False),
        ("C1", "#launch", False),
        ("C2", "#marketing-team", True),
    ]
    assert options("chans") == [("C1", "#launch", True), ("C2", "#marketing-team", False)]
    assert options("ch")[0] == ("", "Select an item", True)
    assert [v for v, _, on in options("chs") if on] == ["C2"]


def test_checkboxes_and_radio_buttons_with_descriptions() -> None:
    described = {**bk.option("Mon", "0"), "description": bk.mrkdwn("_first_ day")}
    root = modal(
        bk.input_block(
            "Days",
            {
                "type": "checkboxes",
                "action_id": "days",
                "options": [described, bk.option("Tue", "1")],
                "initial_options": [bk.option("Tue", "1")],
            },
            block_id="d",
        ),
        bk.input_block(
            "Side",
            {
                "type": "radio_buttons",
                "action_id": "side",
                "options": [{"text": bk.mrkdwn("*Product*"), "value": "product"}, bk.option("Mkt", "m")],
                "initial_option": bk.option("Mkt", "m"),
            },
            block_id="s",
        ),
    )
    boxes = root.find("div", data_block_id="d").find_all("input")
    assert [(b.attrs["type"], b.attrs["name"], b.attrs["value"], "checked" in b.attrs) for b in boxes] == [
        ("checkbox", "d/days", "0", False),
        ("checkbox", "d/days", "1", True),
    ]
    assert root.by_class("bk-choice-description")[0].find("em").text == "first"
    group = control(root, "s")
    assert group.attrs["role"] == "radiogroup" and group.attrs["data-element-type"] == "radio_buttons"
    radios = group.find_all("input")
    assert [(r.attrs["type"], "checked" in r.attrs) for r in radios] == [("radio", False), ("radio", True)]
    assert group.find("strong").text == "Product"


def test_date_time_and_datetime_pickers() -> None:
    root = modal(
        bk.input_block("Due", {"type": "datepicker", "action_id": "a", "initial_date": "2026-12-01"}, block_id="due"),
        bk.input_block("Bad", {"type": "datepicker", "action_id": "a", "initial_date": '"><x'}, block_id="bad"),
        bk.input_block("At", {"type": "timepicker", "action_id": "a", "initial_time": "15:00"}, block_id="at"),
        bk.input_block(
            "When",
            {"type": "datetimepicker", "action_id": "a", "initial_date_time": epoch(LATE_TUESDAY)},
            block_id="when",
        ),
    )
    assert control(root, "due").attrs["type"] == "date" and control(root, "due").attrs["value"] == "2026-12-01"
    assert "value" not in control(root, "bad").attrs
    assert control(root, "at").attrs["type"] == "time" and control(root, "at").attrs["value"] == "15:00"
    assert control(root, "when").attrs["value"] == "2026-11-24T23:30"


def test_home_tab_has_no_modal_chrome() -> None:
    root = assert_safe(render_view({"type": "home", "blocks": [bk.section("Welcome <@U1>")]}, CTX))
    home = root.by_class("bk-home")[0]
    assert home.attrs["data-view-type"] == "home" and "Welcome @Pat Lee" in home.text
    assert not root.find_all("button") and not root.find_all("h2")


# --- messages -----------------------------------------------------------------------------------


def test_message_shows_blocks_else_text() -> None:
    with_blocks = assert_safe(render_message({"text": "fallback only", "blocks": [bk.section("*In blocks*")]}, CTX))
    assert "In blocks" in with_blocks.text and "fallback only" not in with_blocks.text
    text_only = assert_safe(render_message({"text": "*Saved* in <#C1>"}, CTX))
    assert text_only.find("strong").text == "Saved" and "#launch" in text_only.text
    raw = assert_safe(render_message({"text": "*Saved*", "mrkdwn": False}, CTX))
    assert raw.text == "*Saved*" and not raw.find_all("strong")


def test_message_attachments_and_files() -> None:
    message = {
        "text": "x",
        "attachments": [
            {
                "color": "#36a64f",
                "pretext": "pre",
                "title": "Title",
                "title_link": "https://example.com",
                "text": "*body*",
                "fields": [{"title": "F", "value": "v", "short": True}],
                "footer": "foot",
            },
            {"color": "red; background: url(javascript:alert(1))", "text": "evil colour"},
            {"color": "danger", "fallback": "only fallback"},
        ],
        "files": [{"id": "F1", "title": "Chart", "mimetype": "image/png"}, {"id": "F2", "name": "notes.pdf"}],
    }
    root = assert_safe(render_message(message, CTX))
    attachments = root.by_class("bk-attachment")
    assert attachments[0].attrs["style"] == "border-left-color: #36a64f"
    assert "style" not in attachments[1].attrs
    assert attachments[2].attrs["style"] == "border-left-color: #a30200" and attachments[2].text == "only fallback"
    assert attachments[0].find("a").attrs["href"] == "https://example.com"
    assert attachments[0].find("strong").text == "body"
    assert "bk-attachment-field--short" in attachments[0].by_class("bk-attachment-field")[0].classes()
    assert root.find("img").attrs["src"] == "/files/F1/chart.png"
    assert "notes.pdf" in root.by_class("bk-files")[0].text


# --- hostile text -------------------------------------------------------------------------------


def test_hostile_text_in_every_field_stays_text() -> None:
    h = HOSTILE
    option = {"text": bk.plain_text(h), "value": h, "description": bk.plain_text(h)}
    confirm = {"title": bk.plain_text(h), "text": bk.mrkdwn(h), "confirm": bk.plain_text(h), "deny": bk.plain_text(h)}
    view = {
        "type": "modal",
        "callback_id": h,
        "external_id": h,
        "title": bk.plain_text(h),
        "close": bk.plain_text(h),
        "submit": bk.plain_text(h),
        "blocks": [
            {"type": "header", "block_id": h, "text": bk.plain_text(h)},
            {
                "type": "section",
                "block_id": h,
                "text": bk.mrkdwn(f"{h} <{escape(URL_HOSTILE)}|{escape(h)}> <@{h}> <#{h}|{h}>"),
                "fields": [bk.mrkdwn(h), bk.plain_text(h)],
                "accessory": {
                    "type": "button",
                    "action_id": h,
                    "value": h,
                    "text": bk.plain_text(h),
                    "url": h,
                    "confirm": confirm,
                },
            },
            {
                "type": "context",
                "block_id": h,
                "elements": [bk.mrkdwn(h), {"type": "image", "image_url": h, "alt_text": h}],
            },
            {"type": "image", "block_id": h, "image_url": URL_HOSTILE, "alt_text": h, "title": bk.plain_text(h)},
            {
                "type": "actions",
                "block_id": h,
                "elements": [
                    {
                        "type": "static_select",
                        "action_id": h,
                        "placeholder": bk.plain_text(h),
                        "options": [option],
                        "initial_option": option,
                    },
                    {"type": "overflow", "action_id": h, "options": [{**option, "url": h}]},
                    {"type": "datepicker", "action_id": h, "initial_date": h, "placeholder": bk.plain_text(h)},
                    {"type": "users_select", "action_id": h, "initial_user": h},
                ],
            },
            {
                "type": "input",
                "block_id": h,
                "label": bk.plain_text(h),
                "hint": bk.plain_text(h),
                "element": {
                    "type": "plain_text_input",
                    "action_id": h,
                    "initial_value": h,
                    "placeholder": bk.plain_text(h),
                    "multiline": True,
                },
            },
            {
                "type": "input",
                "block_id": h + "2",
                "label": bk.plain_text(h),
                "element": {"type": "checkboxes", "action_id": h, "options": [option], "initial_options": [option]},
            },
            {
                "type": "input",
                "block_id": h + "3",
                "label": bk.plain_text(h),
                "element": {
                    "type": "number_input",
                    "action_id": h,
                    "is_decimal_allowed": False,
                    "min_value": h,
                    "initial_value": h,
                },
            },
            {
                "type": "input",
                "block_id": h + "4",
                "label": bk.plain_text(h),
                "element": {"type": "timepicker", "action_id": h, "initial_time": h},
            },
            {
                "type": "rich_text",
                "block_id": h,
                "elements": [
                    {
                        "type": "rich_text_section",
                        "elements": [
                            {"type": "text", "text": h},
                            {"type": "link", "url": h, "text": h},
                            {"type": "emoji", "name": h, "unicode": h},
                            {"type": "date", "timestamp": 0, "format": h, "fallback": h},
                        ],
                    }
                ],
            },
            {"type": "file", "block_id": h, "external_id": h},
            {"type": h, "block_id": h},
        ],
    }
    markup = render_view(view, CTX, errors={h: h})
    root = assert_safe(markup)
    assert not root.find_all("script") and "<script" not in markup and "<img src=x" not in markup
    assert markup.count("onerror") == markup.count("onerror=alert(1)&gt;")  # only ever inside text, escaped
    # Attribute values come back whole once parsed: nothing broke out of its quotes.
    holders = {(k, v) for t in root.find_all() for k, v in t.attrs.items() if v and h in v}
    block_ids = {h, h + "2", h + "3", h + "4"}
    assert {k for k, v in holders if v not in block_ids} <= {"name", "data-name", "data-confirm", "href", "src"}
    assert {v for k, v in holders if k in ("name", "data-name")} <= {f"{b}/{h}" for b in block_ids}
    select = root.find("select", data_element_type="static_select")
    assert (select.attrs["data-block-id"], select.attrs["data-action-id"], select.attrs["aria-label"]) == (h, h, h)
    assert [(o.attrs["value"], o.text) for o in select.find_all("option")][1:] == [(h, h)]
    assert root.find("input", type="checkbox").attrs["value"] == h
    assert root.find("textarea").attrs["placeholder"] == h
    button = root.find("button", data_action_id=h)
    assert button.attrs["data-block-id"] == h and button.attrs["data-value"] == h
    assert json.loads(button.attrs["data-confirm"] or "")["title"] == h
    assert root.find("div", role="alert").text == h
    assert root.find("textarea").text == h
    assert [(a.attrs["href"], a.text) for a in root.find_all("a")] == [(URL_HOSTILE, h)]
    assert [(i.attrs["src"], i.attrs["alt"]) for i in root.find_all("img")] == [(URL_HOSTILE, h)]
    assert "<svg" not in markup


def test_hostile_message_text_and_attachments() -> None:
    h = HOSTILE
    message = {
        "text": h,
        "attachments": [
            {
                "title": h,
                "title_link": h,
                "text": h,
                "pretext": h,
                "footer": h,
                "fields": [{"title": h, "value": h}],
                "image_url": h,
                "author_name": h,
            }
        ],
        "files": [{"id": h, "title": h}],
    }
    markup = render_message(message, CTX)
    root = assert_safe(markup)
    assert "<script" not in markup and not root.find_all("img") and not root.find_all("a")
    assert root.by_class("bk-message-text")[0].text == h


def test_slot_characters_in_the_input_cannot_forge_rendered_pieces() -> None:
    forged = "\U000f0000\U000f0001 <@U1>"
    root = md(forged)
    assert root.text == "\ufffd\ufffd @Pat Lee"


@pytest.mark.parametrize(
    "text",
    ["*_~" * 1000, "*a " * 1000, "_a_ " * 750, "*" * 3000, "`a" * 1500, "<" * 3000, "&gt; " * 600, "```" * 1000,
     "*a" + "_b" * 1500 + "*", "http://a.example/" + "_*" * 1400, "<@U1>*" * 500, ":tada:_" * 400],
)  # fmt: skip
def test_hostile_marker_soup_renders_quickly_and_safely(text: str) -> None:
    # A regex per candidate opener made "*_~" * 1000 take 18 s; finding the places once is linear.
    started = time.perf_counter()
    markup = render_mrkdwn(text, CTX)
    assert time.perf_counter() - started < 2.0
    assert_safe(markup)


def test_a_marker_does_not_nest_in_itself() -> None:
    root = md("**x** and *a _b_ *c* d*")
    assert [t.name for t in root.find_all()] == ["span", "strong", "strong", "em"]
    assert [t.text for t in root.find_all("strong")] == ["*x*", "a b *c"]
    assert root.text == "*x* and a b *c d*"  # a span closes at its first closing marker


def test_workspace_names_cannot_forge_rendered_pieces() -> None:
    # A display name is free text from the workspace; the renderer's placeholders must not leak in.
    ctx = RenderContext(tz=NEW_YORK, now=NOW, users={"U1": "\U000f0000\U000f0005 <b>"}, channels={"C1": "\U000f0001"})
    root = md("<@U1> <#C1> `<@U1>` *x*", ctx)
    assert root.text == "@\ufffd\ufffd <b> #\ufffd @\ufffd\ufffd <b> x"


def test_file_urls_from_the_page_server_must_be_paths_or_http() -> None:
    files = {
        "F1": "/files/F1.png",
        "F2": "javascript:alert(1)",
        "F3": "//evil.example/x.png",
        "F4": "https://cdn.example/x.png",
        "F5": "/\\evil.example/x.png",
    }
    ctx = RenderContext(tz=NEW_YORK, now=NOW, users={}, channels={}, files=files)
    blocks_ = [{"type": "image", "slack_file": {"id": f"F{i}"}, "alt_text": f"alt {i}"} for i in range(1, 6)]
    root = assert_safe(render_blocks(blocks_, ctx))
    assert [i.attrs["src"] for i in root.find_all("img")] == ["/files/F1.png", "https://cdn.example/x.png"]
    assert [t.text for t in root.by_class("bk-image-alt")] == ["alt 2", "alt 3", "alt 5"]


def test_skin_tones_and_button_accessibility_label() -> None:
    assert md(":+1::skin-tone-3:").text == "\U0001f44d\U0001f3fc"
    button = {**bk.button("\u22ef", "more", "1"), "accessibility_label": "More about <this>"}
    assert blocks(bk.actions(button)).find("button").attrs["aria-label"] == "More about <this>"


def test_confirm_text_is_decoded_once() -> None:
    button = bk.button("Go", "go")
    button["confirm"] = {"title": bk.plain_text("T"), "text": bk.mrkdwn("a &amp;lt; b <http://x|&amp;amp;> <@U2>")}
    confirm = json.loads(blocks(bk.actions(button)).find("button").attrs["data-confirm"] or "")
    assert confirm["text"] == "a &lt; b &amp; @Max <Mustermann>"


def test_option_labels_show_emoji_as_unicode() -> None:
    raw = {"text": {"type": "plain_text", "text": ":rocket: raw", "emoji": False}, "value": "r"}
    options_ = [bk.option(":rocket: Shipped", "shipped"), bk.option(":nope: x", "x"), raw]
    element = {"type": "static_select", "action_id": "s", "options": options_}
    options = blocks(bk.actions(element)).find_all("option")
    assert [o.text for o in options[1:]] == ["\U0001f680 Shipped", ":nope: x", ":rocket: raw"]


def test_attachment_mrkdwn_in_limits_formatting_to_the_fields_it_names() -> None:
    attachment = {
        "mrkdwn_in": ["text"],
        "pretext": "*plain*",
        "text": "*bold*",
        "fields": [{"title": "F", "value": "*v*"}],
    }
    root = assert_safe(render_message({"text": "x", "attachments": [attachment]}, CTX))
    assert [t.text for t in root.find_all("strong")] == ["bold"]
    assert root.by_class("bk-attachment-pretext")[0].text == "*plain*"
    assert "*v*" in root.by_class("bk-attachment-field")[0].text


def test_rich_text_emoji_code_points_must_be_real_characters() -> None:
    elements = [
        {"type": "emoji", "name": n, "unicode": u} for n, u in [("a", "d800"), ("b", "110000"), ("c", "1f44d-1f3fd")]
    ]
    root = blocks({"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": elements}]})
    assert root.text == ":a::b:\U0001f44d\U0001f3fd"
    render_blocks(
        [{"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": elements}]}], CTX
    ).encode()
