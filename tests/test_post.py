"""`ij update AUDIENCE --post`: the update sent to a real local HTTP server standing in for Slack,
Teams, Mattermost, Discord or a JSON webhook, each payload checked against the platform's own
shape and limits; a failed post keeps the update and says why."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import Run, git, ij_subprocess, snapshot

from incjournal.render.chat import DISCORD_MESSAGE, SLACK_BLOCKS, SLACK_HEADER, SLACK_SECTION


@dataclass
class Hook:
    """A webhook endpoint on 127.0.0.1: what it received, and how it answers."""

    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)  # status per request; then 200
    stall: float = 0.0  # seconds to wait before answering


@pytest.fixture
def hook() -> Iterator[Hook]:
    state = Hook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            length = int(self.headers["Content-Length"])
            body = json.loads(self.rfile.read(length))
            assert self.headers["Content-Type"] == "application/json"
            state.received.append(body)
            time.sleep(state.stall)
            code = state.answers.pop(0) if state.answers else 200
            try:
                self.send_response(code)
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:  # the client gave up waiting (the stalled case)
                pass

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_port}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def _post_to(journal_dir: Path, audience: str, kind: str, timeout: float = 2) -> None:
    """Configure `audience` to post to `kind` (committed, like a team would)."""
    config = journal_dir / "incjournal.toml"
    text = config.read_text().replace(
        f"[audiences.{audience}]\n",
        f'[audiences.{audience}]\npost = "{kind}"\npost_url_env = "IJ_TEST_WEBHOOK"\n',
    )
    config.write_text(text + f"\n[post]\ntimeout = {timeout}\n")
    git(journal_dir, "commit", "--quiet", "--message", "chat", "incjournal.toml")


def _updates(run: Run) -> list[str]:
    return run("timeline", "--kind", "update").stdout.splitlines()


def test_a_slack_update_is_mrkdwn_in_block_kit_within_slacks_limits(
    run: Run, journal_dir: Path, incident: str, hook: Hook
) -> None:
    _post_to(journal_dir, "exec", "slack")
    said = "Rollback done & checkout <recovering>. See [the graph](https://grafana.example.com/d/1)"
    result = run("update", "exec", said, "--post", env={"IJ_TEST_WEBHOOK": hook.url})
    assert result.stdout.splitlines()[-1] == "posted to exec (slack)"
    (payload,) = hook.received
    _check_slack(payload)
    section = payload["blocks"][1]["text"]["text"]
    assert "Rollback done &amp; checkout &lt;recovering&gt;." in section
    assert "<https://grafana.example.com/d/1|the graph>" in section
    assert payload["blocks"][0]["text"]["text"] == "SEV2 · Checkout errors in EU: update to exec"
    assert len(_updates(run)) == 1


def _check_slack(payload: dict[str, Any]) -> None:
    """Slack's documented limits: 50 blocks; a header's plain text 150, a section's 3,000."""
    assert set(payload) == {"text", "blocks"} and payload["text"]
    blocks = payload["blocks"]
    assert 1 <= len(blocks) <= SLACK_BLOCKS
    assert blocks[0]["type"] == "header" and blocks[0]["text"]["type"] == "plain_text"
    assert len(blocks[0]["text"]["text"]) <= SLACK_HEADER
    for block in blocks[1:]:
        assert block["type"] == "section" and block["text"]["type"] == "mrkdwn"
        text = block["text"]["text"]
        assert 0 < len(text) <= SLACK_SECTION
        bare = re.sub(r"<https?://[^|>\s]+\|[^>]*>|&(amp|lt|gt);", "", text)
        assert not set(bare) & set("<>&"), text  # every &, < and > escaped as Slack asks


def test_a_long_brief_is_cut_into_sections_and_messages_within_each_limit(
    run: Run, journal_dir: Path, incident: str, hook: Hook
) -> None:
    for n in range(40):
        run("note", f"step {n}: " + "pool saturation observed on db-{n} " * 12)
        run("decide", f"decision {n}: " + "keep the canary at 5% " * 10, "--why", "safer")
    _post_to(journal_dir, "responders", "slack")
    env = {"IJ_TEST_WEBHOOK": hook.url}
    run("update", "responders", "--post", env=env)
    _check_slack(hook.received[-1])
    assert len(hook.received[-1]["blocks"]) > 2  # it did need cutting
    config = journal_dir / "incjournal.toml"
    config.write_text(config.read_text().replace('post = "slack"', 'post = "discord"'))
    git(journal_dir, "commit", "--quiet", "--all", "--message", "discord")
    long_text = "\n".join(f"line {n}: " + "x" * 90 for n in range(60))
    run("update", "responders", long_text, "--post", env=env)
    messages = hook.received[1:]
    assert len(messages) >= 3
    assert all(len(m["content"]) <= DISCORD_MESSAGE for m in messages)
    assert all(m["allowed_mentions"] == {"parse": []} for m in messages)  # no @everyone
    assert "\n".join(m["content"] for m in messages) == long_text  # nothing lost, in order


def test_teams_gets_an_adaptive_card(
    run: Run, journal_dir: Path, incident: str, hook: Hook
) -> None:
    _post_to(journal_dir, "engineering", "teams")
    run("update", "engineering", "Hold deploys.\n\nWe roll back at 10:40.", "--post",
        env={"IJ_TEST_WEBHOOK": hook.url})  # fmt: skip
    (payload,) = hook.received
    assert payload["type"] == "message"
    (attachment,) = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert all(b["type"] == "TextBlock" and b["text"] for b in card["body"])
    assert [b["text"] for b in card["body"][1:]] == ["Hold deploys.", "We roll back at 10:40."]


def test_mattermost_and_json_for_a_public_audience_say_nothing_internal(
    run: Run, journal_dir: Path, incident: str, hook: Hook
) -> None:
    run("note", "Checkout failing for some customers in Europe", "--public")
    _post_to(journal_dir, "public", "json")
    env = {"IJ_TEST_WEBHOOK": hook.url}
    run("update", "public", "We are investigating checkout errors.", "--post", env=env)
    (payload,) = hook.received
    assert payload["audience"] == "public" and payload["text"] == (
        "We are investigating checkout errors."
    )
    assert "incident" not in payload and "Checkout errors in EU" not in json.dumps(payload)
    assert payload["title"] and payload["status"] == "investigating"
    config = journal_dir / "incjournal.toml"
    config.write_text(config.read_text().replace('post = "json"', 'post = "mattermost"'))
    git(journal_dir, "commit", "--quiet", "--all", "--message", "mattermost")
    run("update", "public", "Still investigating.", "--post", env=env)
    assert hook.received[-1] == {"text": f"**{payload['title']}**\n\nStill investigating."}


def test_a_failed_post_keeps_the_update_and_says_why(
    run: Run, journal_dir: Path, incident: str, hook: Hook
) -> None:
    _post_to(journal_dir, "exec", "slack")
    hook.answers = [500, 503]
    result = run("update", "exec", "Rollback done", "--post", code=1,
                 env={"IJ_TEST_WEBHOOK": hook.url})  # fmt: skip
    assert len(hook.received) == 2  # tried once more, then gave up
    (line,) = result.stderr.splitlines()
    assert line.startswith("ij: error: post failed: 127.0.0.1 answered 503 ")
    assert "the update is recorded" in line and "Traceback" not in result.stderr
    assert "Rollback done" in _updates(run)[0]
    hook.answers = [500]  # the retry works
    run("update", "exec", "Second try", "--post", env={"IJ_TEST_WEBHOOK": hook.url})
    assert len(hook.received) == 4


def test_a_stalled_or_absent_chat_is_given_up_on(
    run: Run, journal_dir: Path, incident: str, hook: Hook
) -> None:
    _post_to(journal_dir, "exec", "slack", timeout=0.3)
    hook.stall = 2.0
    stalled = run("update", "exec", "one", "--post", code=1, env={"IJ_TEST_WEBHOOK": hook.url})
    assert "post failed: cannot reach 127.0.0.1: timed out" in stalled.stderr
    assert len(hook.received) == 2
    closed = hook.url.replace(hook.url.split(":")[2].split("/")[0], "9")  # nothing listens on 9
    refused = run("update", "exec", "two", "--post", code=1, env={"IJ_TEST_WEBHOOK": closed})
    assert "post failed: cannot reach 127.0.0.1:" in refused.stderr
    assert len(_updates(run)) == 2


@pytest.mark.parametrize(
    ("config", "env", "said"),
    [
        ("", {"IJ_TEST_WEBHOOK": "http://127.0.0.1:9/x"}, "exec has no chat to post to: add post"),
        ('post = "slack"\npost_url_env = "IJ_TEST_WEBHOOK"\n', {},
         "IJ_TEST_WEBHOOK is not set: export it"),
        ('post = "slack"\npost_url_env = "IJ_TEST_WEBHOOK"\n',
         {"IJ_TEST_WEBHOOK": "http://hooks.example.com/x"}, "must hold an https:// URL"),
        ('post = "slack"\npost_url = "https://hooks.slack.com/services/T0/B0/xyz"\n',
         {}, "post_url: a webhook URL is a secret and must not be committed"),
        ('post = "slack"\npost_url_env = "https://hooks.slack.com/services/T0/B0/xyz"\n',
         {}, "post_url_env: name the environment variable"),
        ('post = "irc"\npost_url_env = "IJ_TEST_WEBHOOK"\n', {}, "post = 'irc': use one of"),
    ],
)  # fmt: skip
def test_a_post_that_cannot_be_made_records_nothing(
    run: Run, journal_dir: Path, incident: str, config: str, env: dict[str, str], said: str
) -> None:
    path = journal_dir / "incjournal.toml"
    path.write_text(path.read_text().replace("[audiences.exec]\n", f"[audiences.exec]\n{config}"))
    git(journal_dir, "commit", "--quiet", "--all", "--allow-empty", "--message", "chat")
    before = snapshot(journal_dir)
    result = run("update", "exec", "Rollback done", "--post", code=2, env={**env})
    assert said in result.stderr and result.stderr.count("\n") == 1
    assert snapshot(journal_dir) == before
    assert "hooks.slack.com/services" not in result.stderr  # a URL is never repeated


def test_posting_from_a_real_process(journal_dir: Path, incident: str, hook: Hook) -> None:
    _post_to(journal_dir, "exec", "slack")
    done = ij_subprocess(
        journal_dir, "update", "exec", "From a real process", "--post",
        env={"IJ_TEST_WEBHOOK": hook.url},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "posted to exec (slack)"
    assert "From a real process" in hook.received[0]["blocks"][1]["text"]["text"]
