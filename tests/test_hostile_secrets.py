"""A likely secret is refused in every field a person types, before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Run, entry_id, snapshot

TOKEN = "ghp_" + "Zq8rT2mVx4Lp9Wn3Ks7Bd1Fh6Jc0Ye5Ua2Qg"  # a GitHub token's shape
AWS = "AKIA" + "QX7RT2MV4LP9WN3K"


@pytest.fixture
def ids(run: Run, incident: str) -> dict[str, str]:
    return {
        "action": entry_id(run("action", "rotate the pool password", "--owner", "carol")),
        "hypothesis": entry_id(run("hypothesis", "pool too small")),
    }


@pytest.mark.parametrize(
    ("args", "where"),
    [
        (("note", "fine", "--by", f"Eve {AWS} <eve@example.com>"), "in --by"),
        (("note", "fine", "--tag", TOKEN), "in --tag"),
        (("action", "rotate it", "--owner", TOKEN), "in --owner"),
        (("decide", "roll back", "--why", f"token {TOKEN} leaked"), "in --why"),
        (("risk", "pool may saturate", "--likelihood", AWS), "in --likelihood"),
        (("role", "ic", AWS), "in the person's name"),
        (("mark", "started", "--by", f"Eve {TOKEN}"), "in --by"),
        (("note", f"curl with {TOKEN}"), "refused:"),
    ],
)
def test_a_secret_in_any_field_is_refused_and_nothing_is_written(
    run: Run, journal_dir: Path, ids: dict[str, str], args: tuple[str, ...], where: str
) -> None:
    before = snapshot(journal_dir)
    result = run(*args, code=None)
    assert result.exit_code != 0, result.stdout
    assert where in result.stderr and result.stderr.count("\n") == 1
    assert TOKEN not in result.stderr and AWS not in result.stderr
    assert snapshot(journal_dir) == before


def test_a_title_with_a_secret_opens_nothing(run: Run, journal_dir: Path) -> None:
    before = snapshot(journal_dir)
    result = run("open", f"Leak of {TOKEN}", "--id", "leak", code=None)
    assert result.exit_code != 0 and "refused" in result.stderr
    assert snapshot(journal_dir) == before and not (journal_dir / "incidents").exists()


def test_assign_and_confirm_are_scanned_too(run: Run, ids: dict[str, str]) -> None:
    assert "in --owner" in run("assign", ids["action"], "--owner", TOKEN, code=None).stderr
    assert "refused" in run("confirm", ids["hypothesis"][:4], f"it is {TOKEN}", code=None).stderr


GAPS = {
    "curl -u": "curl -s -u deploy:Hunter2pass https://api.internal/health",
    "mysql -p": "mysql -h db-7 -u root -pS3cretPass orders",
    "docker login": "docker login -u ci -p dckr_pat_AbC123xyz registry.example.com",
    "--password": "pg_dump --password Sup3rSecret! orders",
    "Google key": "maps key AIza" + "SyD4x8QmT2vN7pL0kR9wJ3bF6hC1eG5aZ_y",
    "OpenAI key": "OPENAI sk-proj-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z",
    "split token": "ghp_Zq8rT2mVx4Lp9\u200bWn3Ks7Bd1Fh6Jc0Ye5Ua2Qg",
}
CLEAN = [
    "mysql -h db-7 -u root -p orders (it asked for the password)",
    "ps -p 1234 -o rss; ssh -p2222 bastion; mkdir -p /var/lib/x; kubectl -n shop get pods",
    "docker run -u 1000:1000 app:1.4; docker login --password-stdin < token-file",
    "commit 3f9a2c7e1b4d5f6a7b8c9d0e1f2a3b4c5d6e7f80, request 0b6c1e0c-9e3a-4c1b-8f25-1d2e3f4a5b6c",
    "pod checkout-7d9f8b6c5-x2x9z restarted; log line: dGhpcyBpcyBqdXN0IGJhc2U2NA==",
    "curl -s https://status.example.com/api/v2/status.json | jq .status",
]


@pytest.mark.parametrize("text", GAPS.values(), ids=GAPS.keys())
def test_the_detector_finds_what_it_used_to_miss(text: str) -> None:
    from incjournal import secrets

    [found] = secrets.scan(text)
    assert text[found.start : found.end].replace("\u200b", "")  # where it is in the text
    redacted, _ = secrets.redact(text)
    assert "[REDACTED:" in redacted


@pytest.mark.parametrize("text", CLEAN)
def test_ordinary_incident_text_stays_clean(text: str) -> None:
    from incjournal import secrets

    assert secrets.scan(text) == []


def test_a_split_token_is_refused_through_the_cli(
    run: Run, journal_dir: Path, incident: str
) -> None:
    before = snapshot(journal_dir)
    result = run("note", f"rotate {GAPS['split token']}", code=None)
    assert result.exit_code != 0 and "GitHub token" in result.stderr
    assert snapshot(journal_dir) == before
