"""The emulator answers like Slack, records everything and catches rule breaking."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler

from bot.playground.slack_emulator import SlackEmulator
from bot.playground.workspace_state import Workspace

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}
MODAL = {"type": "modal", "title": {"type": "plain_text", "text": "Hi"}, "blocks": [SECTION]}


def client_for(emulator: SlackEmulator, workspace: Workspace | None = None, **options: object) -> WebClient:
    ws = workspace or emulator.workspace
    return WebClient(token=ws.bot_token, base_url=emulator.base_url, **options)  # type: ignore[arg-type]


def error_of(call: object) -> str:
    with pytest.raises(SlackApiError) as caught:
        call()  # type: ignore[operator]
    return str(caught.value.response["error"])


def test_auth_test_per_workspace_token(emulator: SlackEmulator) -> None:
    other = emulator.add_workspace("Globex")
    acme = client_for(emulator).auth_test()
    globex = client_for(emulator, other).auth_test()
    assert acme["team_id"] == emulator.workspace.team_id and acme["user_id"] == emulator.workspace.bot_user_id
    assert globex["team_id"] == other.team_id and globex["team"] == "Globex"
    assert error_of(lambda: WebClient(token="xoxb-wrong", base_url=emulator.base_url).auth_test()) == "invalid_auth"
    other.active = False
    assert error_of(lambda: client_for(emulator, other).auth_test()) == "account_inactive"


def test_token_in_form_field_and_json_body(emulator: SlackEmulator) -> None:
    ws = emulator.workspace
    form = httpx.post(f"{emulator.base_url}auth.test", data={"token": ws.bot_token}).json()
    assert form["ok"] and form["team_id"] == ws.team_id
    body = {"channel": ws.channel_id("general"), "text": "json body"}
    posted = httpx.post(
        f"{emulator.base_url}chat.postMessage", json=body, headers={"Authorization": f"Bearer {ws.bot_token}"}
    ).json()
    assert posted["ok"]
    assert emulator.messages_in("general")[0].text == "json body"


def test_users_have_real_names_time_zones_and_offsets(emulator: SlackEmulator) -> None:
    ws = emulator.workspace
    client = client_for(emulator)
    asha = client.users_info(user=ws.user_id("asha"))["user"]
    assert asha["real_name"] == "Asha Iyer" and asha["tz"] == "Asia/Kolkata" and asha["tz_offset"] == 19800
    pat = client.users_info(user=ws.user_id("pat"))["user"]
    assert pat["tz"] == "America/New_York" and pat["tz_offset"] in (-18000, -14400)
    assert client.users_info(user=ws.user_id("gone"))["user"]["deleted"] is True
    assert error_of(lambda: client.users_info(user="U0NOBODY")) == "user_not_found"


def test_users_list_and_conversation_members_paginate(emulator: SlackEmulator) -> None:
    ws = emulator.workspace
    client = client_for(emulator)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = client.users_list(limit=2, cursor=cursor)
        seen += [m["id"] for m in page["members"]]
        pages += 1
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(ws.users) and pages == 4  # 7 users, 2 per page
    members: list[str] = []
    for page in client.conversations_members(channel=ws.channel_id("general"), limit=3):
        members += page["members"]
    assert set(members) == ws.channel("general").members
    assert error_of(lambda: client.users_list(cursor="not-a-cursor")) == "invalid_cursor"


def test_dm_by_user_id_threads_updates_and_deletes(emulator: SlackEmulator) -> None:
    ws = emulator.workspace
    client = client_for(emulator)
    pat = ws.user_id("pat")
    first = client.chat_postMessage(channel=pat, text="prompt")
    assert first["channel"].startswith("D")
    assert client.conversations_open(users=pat)["channel"]["id"] == first["channel"]
    reply = client.chat_postMessage(channel=first["channel"], thread_ts=first["ts"], text="answer")
    client.chat_postMessage(channel=first["channel"], thread_ts=reply["ts"], text="second answer")  # reply to reply
    assert [m.text for m in emulator.thread(first["channel"], first["ts"])] == ["answer", "second answer"]
    assert [m.text for m in emulator.dms_to(pat)] == ["prompt"]
    client.chat_update(channel=first["channel"], ts=first["ts"], text="prompt (edited)")
    assert emulator.message(first["channel"], first["ts"]).edits[0]["text"] == "prompt"
    client.chat_delete(channel=first["channel"], ts=reply["ts"])
    assert [m.text for m in emulator.thread(first["channel"], first["ts"])] == ["second answer"]
    assert error_of(lambda: client.chat_update(channel=first["channel"], ts="1.2", text="x")) == "message_not_found"
    link = client.chat_getPermalink(channel=first["channel"], message_ts=first["ts"])["permalink"]
    assert link.endswith("/p" + first["ts"].replace(".", ""))
    client.reactions_add(channel=first["channel"], timestamp=first["ts"], name="eyes")
    assert error_of(lambda: client.reactions_add(channel=first["channel"], timestamp=first["ts"], name="eyes")) == (
        "already_reacted"
    )
    client.reactions_remove(channel=first["channel"], timestamp=first["ts"], name="eyes")
    assert emulator.calls("reactions.remove")[0].ok


def test_channel_membership_rules(emulator: SlackEmulator) -> None:
    ws = emulator.workspace
    client = client_for(emulator)
    assert error_of(lambda: client.chat_postMessage(channel=ws.channel_id("random"), text="x")) == "not_in_channel"
    assert (
        error_of(lambda: client.chat_postMessage(channel=ws.channel_id("leadership"), text="x")) == "channel_not_found"
    )
    assert error_of(lambda: client.chat_postMessage(channel=ws.channel_id("old-campaign"), text="x")) == "is_archived"
    assert error_of(lambda: client.chat_postMessage(channel="C0NOPE", text="x")) == "channel_not_found"
    assert error_of(lambda: client.chat_postMessage(channel=ws.user_id("gone"), text="x")) == "user_disabled"
    assert error_of(lambda: client.conversations_open(users=ws.user_id("gone"))) == "user_disabled"
    assert client.conversations_info(channel=ws.channel_id("launch-room"))["channel"]["is_private"] is True
    assert client.conversations_info(channel=ws.channel_id("random"))["channel"]["is_member"] is False
    client.conversations_join(channel=ws.channel_id("random"))
    client.chat_postMessage(channel=ws.channel_id("random"), text="now I can")
    assert emulator.messages_in("random")[0].text == "now I can"
    group = client.usergroups_users_list(usergroup=ws.usergroup_id("marketing"))["users"]
    assert group == [ws.user_id("asha"), ws.user_id("mia")]
    assert error_of(
        lambda: client.chat_postEphemeral(channel=ws.channel_id("launch-room"), user=ws.user_id("max"), text="x")
    ) == ("user_not_in_channel")
    client.chat_postEphemeral(channel=ws.channel_id("launch-room"), user=ws.user_id("pat"), text="psst")
    assert emulator.ephemerals_to(ws.user_id("pat"))[0].text == "psst"


def test_workspaces_are_isolated(emulator: SlackEmulator) -> None:
    other = emulator.add_workspace("Globex")
    acme_channel = emulator.workspace.channel_id("general")
    assert error_of(lambda: client_for(emulator, other).chat_postMessage(channel=acme_channel, text="x")) == (
        "channel_not_found"
    )
    assert error_of(lambda: client_for(emulator, other).users_info(user=emulator.workspace.user_id("pat"))) == (
        "user_not_found"
    )
    assert emulator.workspace_of(other.user_id("pat")) is other


def test_invalid_block_kit_is_answered_and_recorded(emulator: SlackEmulator) -> None:
    ws = emulator.workspace
    client = client_for(emulator)
    bad_header = [{"type": "header", "text": {"type": "mrkdwn", "text": "headers are plain_text"}}]
    assert error_of(lambda: client.chat_postMessage(channel=ws.channel_id("general"), text="x", blocks=bad_header)) == (
        "invalid_blocks"
    )
    too_many = [SECTION] * 51
    assert error_of(lambda: client.chat_postMessage(channel=ws.channel_id("general"), text="x", blocks=too_many)) == (
        "invalid_blocks"
    )
    long_section = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    assert error_of(
        lambda: client.chat_postMessage(channel=ws.channel_id("general"), text="x", blocks=long_section)
    ) == ("invalid_blocks")
    assert (
        error_of(lambda: client.chat_postMessage(channel=ws.channel_id("general"), text="x" * 40001)) == "msg_too_long"
    )
    long_title = {**MODAL, "title": {"type": "plain_text", "text": "A title far longer than 24"}}
    trigger = emulator.issue_trigger(ws.team_id, ws.user_id("pat"))
    assert error_of(lambda: client.views_open(trigger_id=trigger, view=long_title)) == "invalid_arguments"
    violations = emulator.take_violations()
    assert [v.method for v in violations].count("chat.postMessage") >= 4
    assert any("51 blocks" in v.detail for v in violations)
    assert any("title" in v.detail for v in violations if v.method == "views.open")
    assert emulator.messages_in("general") == []


def test_unknown_method_and_missing_required_argument_are_violations(emulator: SlackEmulator) -> None:
    client = client_for(emulator)
    assert error_of(lambda: client.api_call("chat.sendCarrierPigeon", json={"channel": "C1"})) == "unknown_method"
    assert error_of(lambda: client.api_call("chat.getPermalink", params={"channel": "C1"})) == "invalid_arguments"
    errors = [v.error for v in emulator.take_violations()]
    assert errors == ["unknown_method", "invalid_arguments"]


def test_views_trigger_rules_stack_and_home(emulator: SlackEmulator) -> None:
    ws = emulator.workspace
    pat = ws.user_id("pat")
    client = client_for(emulator)
    trigger = emulator.issue_trigger(ws.team_id, pat)
    opened = client.views_open(trigger_id=trigger, view=MODAL)["view"]
    assert opened["id"].startswith("V") and opened["hash"]
    assert error_of(lambda: client.views_open(trigger_id=trigger, view=MODAL)) == "exchanged_trigger_id"
    stale = emulator.issue_trigger(ws.team_id, pat)
    emulator.expire_trigger(stale)
    assert error_of(lambda: client.views_open(trigger_id=stale, view=MODAL)) == "expired_trigger_id"
    for _ in range(2):
        client.views_push(trigger_id=emulator.issue_trigger(ws.team_id, pat, opened["id"]), view=MODAL)
    assert len(emulator.modal_stack(pat)) == 3
    push = emulator.issue_trigger(ws.team_id, pat)
    assert error_of(lambda: client.views_push(trigger_id=push, view=MODAL)) == "push_limit_reached"
    assert emulator.take_violations()[0].error == "push_limit_reached"
    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view={**MODAL, "callback_id": "v2"})[
        "view"
    ]
    assert updated["callback_id"] == "v2"
    assert (
        error_of(lambda: client.views_update(view_id=opened["id"], hash=opened["hash"], view=MODAL)) == "hash_conflict"
    )
    client.views_publish(user_id=pat, view={"type": "home", "blocks": [SECTION]})
    assert emulator.home_of(pat)["blocks"] == [SECTION]  # type: ignore[index]
    assert emulator.views_opened(pat)[0].id == opened["id"]


def test_two_step_file_upload(emulator: SlackEmulator) -> None:
    ws = emulator.workspace
    client = client_for(emulator)
    result = client.files_upload_v2(
        channel=ws.channel_id("general"), content="week,insights\n1,3\n", filename="digest.csv", title="Digest"
    )
    file_id = result["files"][0]["id"]
    assert emulator.uploaded_file(file_id).content == b"week,insights\n1,3\n"
    assert emulator.messages_in("general")[0].files[0]["title"] == "Digest"
    assert [c.method for c in emulator.calls()] == [
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]


def test_response_url_records_posts_and_allows_five_uses(emulator: SlackEmulator) -> None:
    ws = emulator.workspace
    url = emulator.new_response_url(ws.team_id, ws.user_id("pat"), ws.channel_id("general"))
    statuses = [httpx.post(url, json={"text": f"reply {n}"}).status_code for n in range(6)]
    assert statuses == [200] * 5 + [404]
    assert [p["text"] for p in emulator.response_posts(url)] == [f"reply {n}" for n in range(5)]
    assert emulator.ephemerals_to(ws.user_id("pat"))[0].via == "response_url"
    shared = emulator.new_response_url(ws.team_id, ws.user_id("pat"), ws.channel_id("general"))
    httpx.post(shared, json={"text": "for everyone", "response_type": "in_channel"})
    assert emulator.messages_in("general")[0].text == "for everyone"
    bad = emulator.new_response_url(ws.team_id, ws.user_id("pat"), ws.channel_id("general"))
    assert httpx.post(bad, json={"text": "x", "blocks": [{"type": "nope"}]}).status_code == 400
    assert emulator.take_violations()[0].method == "response_url"


def test_rate_limit_answers_429_with_retry_after(emulator: SlackEmulator) -> None:
    ws = emulator.workspace
    emulator.rate_limits.enable(time_scale=0.02)
    emulator.rate_limits.set_limit("users.info", 3)
    url = f"{emulator.base_url}users.info"
    headers = {"Authorization": f"Bearer {ws.bot_token}"}
    answers = [httpx.post(url, data={"user": ws.user_id("pat")}, headers=headers) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[3].json() == {"ok": False, "error": "ratelimited"}
    assert int(answers[3].headers["Retry-After"]) >= 1
    time.sleep(60 * 0.02)  # one (scaled) minute later the window has room again
    assert httpx.post(url, data={"user": ws.user_id("pat")}, headers=headers).status_code == 200


def test_post_message_limit_is_per_channel_with_a_burst(emulator: SlackEmulator) -> None:
    ws = emulator.workspace
    # One message per 5 s per channel, burst of 2: slow enough that a loaded machine cannot refill.
    emulator.rate_limits.enable(time_scale=1.0, post_burst=2, post_per_channel_per_second=0.2)
    url = f"{emulator.base_url}chat.postMessage"
    headers = {"Authorization": f"Bearer {ws.bot_token}"}

    def post(channel: str) -> httpx.Response:
        return httpx.post(url, data={"channel": ws.channel_id(channel), "text": "x"}, headers=headers)

    answers = [post("general") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert 1 <= int(answers[2].headers["Retry-After"]) <= 5
    assert answers[2].json()["error"] == "ratelimited"
    assert post("product-marketing").status_code == 200  # another channel has its own bucket
    emulator.rate_limits.enable(time_scale=0.01, post_burst=1, post_per_channel_per_second=0.2)
    assert post("general").status_code == 200
    time.sleep(0.2)  # 0.05 s of real time refills one message at this scale; waiting longer only helps
    assert post("general").status_code == 200


def test_rate_limits_are_off_by_default(emulator: SlackEmulator) -> None:
    client = client_for(emulator)
    for _ in range(30):
        client.users_list(limit=1)  # Tier 2 would allow only 20 a minute
    assert all(c.status == 200 for c in emulator.calls("users.list"))


def test_faults_5xx_drop_and_slow(emulator: SlackEmulator) -> None:
    ws = emulator.workspace
    emulator.faults.add("chat.postMessage", "5xx", count=1, status=503)
    client = client_for(emulator)
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel=ws.channel_id("general"), text="x")
    assert caught.value.response.status_code == 503
    client.chat_postMessage(channel=ws.channel_id("general"), text="second try")
    assert [m.text for m in emulator.messages_in("general")] == ["second try"]

    emulator.faults.add("auth.test", "drop", count=1)
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.post(f"{emulator.base_url}auth.test", data={"token": ws.bot_token})
    emulator.faults.add("auth.test", "drop", count=1)
    retrying = client_for(emulator, retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1)])
    assert retrying.auth_test()["ok"]  # slack_sdk retries the dropped connection

    emulator.faults.add("users.info", "slow", delay=0.3)
    started = time.perf_counter()
    client.users_info(user=ws.user_id("pat"))
    assert time.perf_counter() - started >= 0.3


def test_fault_probability_is_seeded(emulator: SlackEmulator) -> None:
    def run(seed: int) -> list[int]:
        emulator.faults.clear()
        emulator.faults.seed(seed)
        emulator.faults.add("auth.test", "5xx", count=None, probability=0.5)
        token = emulator.workspace.bot_token
        return [httpx.post(f"{emulator.base_url}auth.test", data={"token": token}).status_code for _ in range(12)]

    first, again = run(7), run(7)
    assert first == again and 503 in first and 200 in first


def test_concurrent_posts_are_all_recorded(emulator: SlackEmulator) -> None:
    from concurrent.futures import ThreadPoolExecutor

    client = client_for(emulator)
    channel = emulator.workspace.channel_id("general")
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda n: client.chat_postMessage(channel=channel, text=str(n)), range(40)))
    messages = emulator.messages_in(channel)
    assert sorted(int(m.text) for m in messages) == list(range(40))
    assert len({m.ts for m in messages}) == 40


def test_form_encoded_blocks_are_decoded(emulator: SlackEmulator) -> None:
    ws = emulator.workspace
    data = {"token": ws.bot_token, "channel": ws.channel_id("general"), "text": "t", "blocks": json.dumps([SECTION])}
    assert httpx.post(f"{emulator.base_url}chat.postMessage", data=data).json()["ok"]
    assert emulator.messages_in("general")[0].blocks == [SECTION]
