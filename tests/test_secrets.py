"""The secret scanner: every realistic secret is caught where it is; ordinary notes stay quiet.

The fake secrets are built from pieces at run time so this file holds nothing that looks like a
real credential to a scanner, while the built values have the exact shape of the real ones.
"""

from __future__ import annotations

import os
import random
import string
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from incjournal.secrets import Finding, describe, redact, scan

SRC = Path(__file__).resolve().parents[1] / "src"
_RNG = random.Random(20240611)
ALNUM = string.ascii_letters + string.digits
UPPER_DIGITS = string.ascii_uppercase + string.digits
B64 = ALNUM + "+/"
B64URL = ALNUM + "-_"


def rand(alphabet: str, n: int) -> str:
    return "".join(_RNG.choice(alphabet) for _ in range(n))


def b64url(data: str) -> str:
    import base64

    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


AWS_KEY_ID = "AK" + "IA" + rand(UPPER_DIGITS, 16)
AWS_TEMP_KEY_ID = "AS" + "IA" + rand(UPPER_DIGITS, 16)
AWS_SECRET = rand(B64, 40)
GH_CLASSIC = "gh" + "p_" + rand(ALNUM, 36)
GH_SERVER = "gh" + "s_" + rand(ALNUM, 36)
GH_FINE = "github" + "_pat_" + "11A" + rand(UPPER_DIGITS, 19) + "_" + rand(ALNUM, 59)
GL_PAT = "gl" + "pat-" + rand(ALNUM + "_-", 20)
SLACK_BOT = "xo" + "xb-" + rand(string.digits, 12) + "-" + rand(string.digits, 13) + "-"
SLACK_BOT += rand(ALNUM, 24)
SLACK_USER = "xo" + "xp-" + "-".join(rand(string.digits, 12) for _ in range(3)) + "-"
SLACK_USER += rand("0123456789abcdef", 32)
SLACK_APP = "xa" + "pp-1-A" + rand(UPPER_DIGITS, 10) + "-" + rand(string.digits, 13) + "-"
SLACK_APP += rand("0123456789abcdef", 64)
SLACK_HOOK = "https://hooks.slack" + ".com/services/T" + rand(UPPER_DIGITS, 8) + "/B"
SLACK_HOOK += rand(UPPER_DIGITS, 10) + "/" + rand(ALNUM, 24)
JWT = ".".join(
    (
        b64url('{"alg":"HS256","typ":"JWT"}'),
        b64url('{"sub":"svc-checkout","iat":1718000000,"exp":1718003600}'),
        rand(B64URL, 43),
    )
)
STRIPE = "sk" + "_live_" + rand(ALNUM, 24)
SENDGRID = "S" + "G." + rand(B64URL, 22) + "." + rand(B64URL, 43)
NPM = "np" + "m_" + rand(ALNUM, 36)
OPAQUE_BEARER = rand(ALNUM, 40)
API_KEY = rand("0123456789abcdef", 32)
PASSWORD = "S3cr3t!" + rand(ALNUM, 5)
HUNTER = "hunter" + rand(string.digits, 3)
K8S_B64 = b64url("hunter2-" + rand(ALNUM, 8)) + "=="
PEM_BODY = "\n".join(rand(B64, 64) for _ in range(6)) + "\n" + rand(B64, 20) + "=="
PEM = "-----BEGIN RSA " + "PRIVATE KEY-----\n" + PEM_BODY + "\n-----END RSA " + "PRIVATE KEY-----"
ENCRYPTED_PEM = (
    "-----BEGIN ENCRYPTED "
    + "PRIVATE KEY-----\n"
    + "MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI"
    + rand(B64, 16)
    + "\n"
    + rand(B64, 64)
    + "\n-----END ENCRYPTED "
    + "PRIVATE KEY-----"
)
OPENSSH = (
    "-----BEGIN OPENSSH "
    + "PRIVATE KEY-----\n"
    + "b3BlbnNzaC1rZXktdjEAAAAA"
    + rand(B64, 40)
    + "\n"
    + rand(B64, 70)
    + "\n-----END OPENSSH "
    + "PRIVATE KEY-----"
)


@dataclass(frozen=True)
class Case:
    """A note with one secret in it: `{}` marks where the secret goes."""

    note: str
    secret: str
    kind: str

    @property
    def text(self) -> str:
        return self.note.format(self.secret)

    @property
    def start(self) -> int:
        return self.note.index("{}")


SECRETS = [
    Case("10:42 found {} in the deploy job log, revoking now", AWS_KEY_ID, "AWS access key"),
    Case(
        "env dump from the pod:\nAWS_ACCESS_KEY_ID={}\nAWS_REGION=eu-west-1",
        AWS_TEMP_KEY_ID,
        "AWS access key",
    ),
    Case("runner env had AWS_SECRET_ACCESS_KEY={} exported", AWS_SECRET, "AWS secret key"),
    Case("[default]\naws_secret_access_key = {}\nregion = us-east-1", AWS_SECRET, "AWS secret key"),
    Case('boto3 call in the script: aws_secret_access_key = "{}"', AWS_SECRET, "AWS secret key"),
    Case("the release bot used token {} (classic, repo scope)", GH_CLASSIC, "GitHub token"),
    Case(
        "git remote -v shows https://x-access-token:{}@github.com/acme/api.git",
        GH_SERVER,
        "GitHub token",
    ),
    Case("alice pasted her fine-grained PAT {} into #inc-4512", GH_FINE, "GitHub token"),
    Case("export GITLAB_TOKEN={} && ./release.sh", GL_PAT, "GitLab token"),
    Case("alertmanager config has slack bot token {} hardcoded", SLACK_BOT, "Slack token"),
    Case("curl -d token={} https://slack.com/api/auth.test", SLACK_USER, "Slack token"),
    Case("socket mode app token {} leaked in CI output", SLACK_APP, "Slack token"),
    Case("webhook for #alerts: {} (paged twice)", SLACK_HOOK, "Slack webhook"),
    Case('curl -H "Authorization: Bearer {}" https://api.internal/v1/orders', JWT, "JWT"),
    Case("session cookie was {}; expired at 11:00", JWT, "JWT"),
    Case("key from the bastion, do not reuse:\n{}\nrotated 12:10", PEM, "private key"),
    Case("deploy key found in /tmp:\n{}", OPENSSH, "private key"),
    Case("tls.key in the configmap (PKCS#8):\n{}\nmoved to a secret", ENCRYPTED_PEM, "private key"),
    Case(
        "DATABASE_URL was postgres://app:{}@db-primary.prod.internal:5432/orders",
        HUNTER,
        "basic-auth URL",
    ),
    Case("migration used mysql://root:{}@10.0.3.7/billing", PASSWORD, "basic-auth URL"),
    Case("REDIS_URL=redis://:{}@cache-01:6379/0 in the worker env", HUNTER, "basic-auth URL"),
    Case(
        "conn string: Server=sql-01;Database=app;User Id=app;Password={};Encrypt=true",
        PASSWORD,
        "password",
    ),
    Case("jdbc:postgresql://db:5432/app?user=app&password={}&ssl=true", HUNTER, "password"),
    Case("ran PGPASSWORD={} psql -h db-primary -U app orders", HUNTER, "password"),
    Case(
        "kubectl get secret db-creds -o yaml:\ndata:\n  password: {}\n  username: YXBw",
        K8S_B64,
        "password",
    ),
    Case(
        'settings.py had "db_password": "{}" in plain text',
        "correct horse battery staple",
        "password",
    ),
    Case("stripe key {} in the checkout service logs", STRIPE, "Stripe key"),
    Case("sendgrid: {} (mailer pod)", SENDGRID, "SendGrid key"),
    Case("//registry.npmjs.org/:_authToken={}", NPM, "npm token"),
    Case(
        'curl -H "Authorization: Bearer {}" https://metrics.internal/api',
        OPAQUE_BEARER,
        "auth header",
    ),
    Case('curl -H "X-Api-Key: {}" https://partner.example.com/v2/status', API_KEY, "API key"),
    Case("./migrate --db-host db-primary --password={} --dry-run", PASSWORD, "password"),
]

INNOCENT = [
    "Deployed commit 3f9c2e1a7b4d8e6f0a1b2c3d4e5f60718293a4b5 to prod at 10:42",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  release-2024.06.1.tar.gz",
    "request id 123e4567-e89b-12d3-a456-426614174000 failed with 502 from the edge",
    "X-Request-Id: 7b2f0c4e9a1d4e8f9c3b2a1d0e9f8a7b seen in the LB logs",
    "db-primary-01.prod.internal:5432 replication lag 45s, failing over to db-replica-02",
    "10.42.0.17 and 2001:db8::1 unreachable from az-b; 192.168.1.0/24 fine",
    "pod api-7d9f8b6c5-x2k4q CrashLoopBackOff, OOMKilled 3 times",
    "https://grafana.example.com/d/abc123/api-latency?orgId=1&from=now-1h&var-env=prod",
    "the password reset page is slow (p99 8s)",
    "token bucket rate limiter dropped 4% of requests at 11:05",
    "rotated the db secret at 11:02; see runbook section 4",
    "git push git@github.com:acme/api.git rejected, non-fast-forward",
    "pulled registry.example.com/api@sha256:"
    "9b2f4c1e0d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c",
    "kubectl get secret db-creds -n payments -o yaml | grep -c password",
    "Secret: rotated by alice after the audit",
    "env dump:\nPWD=/home/alice/incidents\nOLDPWD=/home/alice\nSHELL=/bin/bash",
    '{"level":"error","msg":"token expired","user_id":42,"ts":"2024-06-11T10:42:00Z"}',
    "summariser called with max_tokens=4096 and temperature=0.2",
    "password_reset_requests spiked to 1200/min after the email campaign",
    "ingress:\n  tls-secret: ingress-tls\n  secretName: api-tls",
    "reverted a1b2c3d and 9e8f7a6, redeployed v2.31.4",
    "trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7 sampled=1",
    "role arn:aws:iam::123456789012:role/deploy in us-east-1 lacks s3:PutObject",
    "host key SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8 changed on bastion",
    "Bearer tokens are validated by auth-proxy; it restarted at 10:50",
    "passwordless login via SSO is down for EU users",
    "the api_key rotation job failed (see OPS-123)",
    "http://localhost:8080/healthz returned 503 during the rollout",
    "-----BEGIN CERTIFICATE----- block in the bundle expired on the edge proxy",
    "Merge pull request #4512 from acme/fix-token-refresh",
    "export PGHOST=db-primary PGUSER=app PGDATABASE=orders",
    "DB_PASSWORD=${DB_PASSWORD} comes from vault, not the env file",
    "password: ******** (masked in the job log)",
    "curl -H 'Authorization: Bearer <token>' https://api.internal/v1/health",
    "Token: 10:42 expired for the batch user, renewed 10:44",
    "stack trace shows token = get_token(request) returning None",
    'feature flags: {"password_login": false, "password": null, "secret": true}',
    "postgres://app:${PGPASS}@db-primary:5432/orders is the template in values.yaml",
]


@pytest.mark.parametrize("case", SECRETS, ids=lambda case: case.kind)
def test_each_secret_is_found_with_its_kind_and_place(case: Case) -> None:
    findings = scan(case.text)

    assert [(f.kind, f.start, f.end) for f in findings] == [
        (case.kind, case.start, case.start + len(case.secret))
    ]
    line_start = case.text.rfind("\n", 0, case.start) + 1
    assert findings[0].line == case.text.count("\n", 0, case.start) + 1
    assert findings[0].column == case.start - line_start + 1


@pytest.mark.parametrize("case", SECRETS, ids=lambda case: case.kind)
def test_redact_removes_the_secret_and_describe_never_shows_it(case: Case) -> None:
    redacted, findings = redact(case.text)

    assert redacted == case.text.replace(case.secret, f"[REDACTED:{case.kind}]")
    assert findings == scan(case.text)
    for piece in _pieces(case.secret):
        assert piece not in redacted
        assert piece not in describe(findings)
    assert scan(redacted) == []


def _pieces(secret: str) -> list[str]:
    """Every line of the secret longer than a few characters (a PEM block is many lines)."""
    return [line for line in secret.splitlines() if len(line) > 6 and "-----" not in line]


def test_the_corpus_is_large_and_varied() -> None:
    assert len(SECRETS) >= 25
    assert len({case.kind for case in SECRETS}) >= 12
    assert len(INNOCENT) >= 25


@pytest.mark.parametrize("note", INNOCENT)
def test_innocent_notes_have_no_findings(note: str) -> None:
    assert scan(note) == []
    assert redact(note) == (note, [])


def test_many_secrets_in_one_multiline_note_report_line_and_column() -> None:
    note = (
        "10:40 paged, checkout 5xx\n"
        f"10:42 CI log shows key {AWS_KEY_ID} and\n"
        "\n"
        f"    token={GH_CLASSIC}\n"
        f"10:50 DATABASE_URL=postgres://app:{HUNTER}@db:5432/orders"
    )

    findings = scan(note)

    assert [(f.kind, f.line, f.column) for f in findings] == [
        ("AWS access key", 2, 24),
        ("GitHub token", 4, 11),
        ("basic-auth URL", 5, 35),
    ]
    assert describe(findings) == (
        "likely secret: AWS access key at line 2, column 24; GitHub token at line 4, column 11; "
        "basic-auth URL at line 5, column 35"
    )
    assert [note[f.start : f.end] for f in findings] == [AWS_KEY_ID, GH_CLASSIC, HUNTER]


def test_a_private_key_is_redacted_as_a_whole_block_even_without_its_end_line() -> None:
    truncated = "pasted from the box:\n" + PEM.rsplit("\n", 1)[0] + "\n\nthen the shell hung"

    redacted, findings = redact(truncated)

    assert redacted == "pasted from the box:\n[REDACTED:private key]\n\nthen the shell hung"
    assert [(f.kind, f.line, f.column) for f in findings] == [("private key", 2, 1)]


def test_windows_line_endings_keep_lines_columns_and_blocks() -> None:
    note = f"paged\r\n  password: {K8S_B64}\r\nkey:\r\n" + PEM.replace("\n", "\r\n")

    redacted, findings = redact(note)

    assert [(f.kind, f.line, f.column) for f in findings] == [
        ("password", 2, 13),
        ("private key", 4, 1),
    ]
    assert redacted == "paged\r\n  password: [REDACTED:password]\r\nkey:\r\n[REDACTED:private key]"


def test_findings_are_sorted_and_never_overlap() -> None:
    note = f"PASSWORD={HUNTER} url=mysql://root:{HUNTER}@db token={JWT} {AWS_KEY_ID}"

    findings = scan(note)

    starts = [f.start for f in findings]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in zip(findings, findings[1:], strict=False))
    assert len(findings) == 4


def test_describe_has_nothing_to_say_about_no_findings() -> None:
    assert describe([]) == "no likely secret"
    assert describe([Finding("JWT", 1, 5, 4, 40)]) == "likely secret: JWT at line 1, column 5"


def test_extra_patterns_from_the_config_are_found() -> None:
    internal = "acme_" + rand(ALNUM, 30)
    note = f"the partner API key {internal} was in the ticket; card 4111-1111-1111-1111 too"
    patterns = {
        "Acme API key": r"\bacme_[A-Za-z0-9]{30}\b",
        "card number": r"card (?P<secret>\d{4}(?:-\d{4}){3})",
    }

    redacted, findings = redact(note, patterns)

    assert [f.kind for f in findings] == ["Acme API key", "card number"]
    assert redacted == (
        "the partner API key [REDACTED:Acme API key] was in the ticket; "
        "card [REDACTED:card number] too"
    )
    assert scan(note) == []


def test_an_invalid_extra_pattern_is_a_value_error_naming_it() -> None:
    with pytest.raises(ValueError, match="'broken one'"):
        scan("anything", {"fine": r"ok\d+", "broken one": r"acme_[A-Z"})


def test_scanning_leaves_detect_secrets_global_settings_alone() -> None:
    from detect_secrets.settings import get_settings

    before = get_settings().json()
    scan(f"AWS_SECRET_ACCESS_KEY={AWS_SECRET} password = 'x{HUNTER}'")
    assert get_settings().json() == before


def _run_python(code: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_an_ordinary_note_is_scanned_without_importing_detect_secrets() -> None:
    code = (
        "import sys\n"
        "from incjournal.secrets import scan\n"
        "assert scan('db-primary lag 45s after deploy 3f9c2e1a7b4d; token bucket full') == []\n"
        "print('detect_secrets' in sys.modules)\n"
    )
    assert _run_python(code) == "False"


def test_a_note_with_a_candidate_shape_loads_detect_secrets() -> None:
    code = (
        "import sys\n"
        "from incjournal.secrets import scan\n"
        f"assert scan('key {AWS_KEY_ID}')[0].kind == 'AWS access key'\n"
        "print('detect_secrets' in sys.modules)\n"
    )
    assert _run_python(code) == "True"


def test_scanning_the_whole_corpus_is_fast() -> None:
    scan(SECRETS[0].text)  # detect-secrets loaded once
    began = time.perf_counter()
    for case in SECRETS:
        scan(case.text)
    for note in INNOCENT:
        scan(note)
    assert time.perf_counter() - began < 0.5
