"""The secrets detector's own rules: realistic cases detect-secrets misses, and what is never a
secret. Regexes only; `secrets.py` runs them."""

from __future__ import annotations

# Targeted rules for realistic cases detect-secrets 1.5 misses; the secret is group "value".
RULES = (
    ("GitHub token", r"(?P<value>\bgithub_pat_[A-Za-z0-9_]{50,})"),
    (
        "AWS secret key",
        r"(?i:aws_?secret_?access_?key)['\"]?\s*[=:]\s*['\"]?"
        r"(?P<value>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])",
    ),
    ("Slack token", r"(?P<value>\bxapp-\d+-[A-Za-z0-9-]{20,})"),
    (
        "auth header",
        r"(?i:\bauthorization['\"]?\s*[:=]\s*['\"]?(?:bearer|basic|token)\s+)"
        r"(?P<value>[A-Za-z0-9._~+/=-]{12,})",
    ),
    # ://user:pass@ with characters BasicAuthDetector refuses (`!`, `$`, ...) or no user
    ("basic-auth URL", r"://[^\s/@:]*:(?P<value>[^\s/@]+)@[\w\[]"),
    ("Google API key", r"(?P<value>\bAIza[0-9A-Za-z_-]{35})(?![0-9A-Za-z_-])"),
    ("OpenAI key", r"(?P<value>\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,})"),
    # credentials on a command line: `curl -u user:pass`, `mysql -pS3cret` (a bare `-p` asks),
    # `docker login -p x`, `--password x` (not `--password-stdin`)
    (
        "password",
        r"\b(?:curl|wget|http|https)\b[^\n]*?\s(?:-u|--user)(?:\s+|=)['\"]?[^\s:'\"]+:"
        r"(?P<value>[^\s'\"]+)",
    ),
    ("password", r"\b(?:mysql|mysqldump|mysqladmin|mariadb)\b[^\n]*?\s-p(?P<value>[^\s]+)"),
    ("password", r"\bdocker\s+login\b[^\n]*?\s-p\s+(?P<value>[^\s]+)"),
    ("password", r"(?:^|\s)--password(?:=|\s+)(?P<value>[^\s-][^\s]*)"),
)

PLACEHOLDERS = frozenset(
    {"null", "none", "nil", "true", "false", "yes", "no", "empty", "unset", "redacted"}
    | {"hidden", "masked", "required", "optional", "placeholder", "example", "default"}
)

# characters that show nothing: ignored when matching, so they cannot split a key
ZERO_WIDTH = "[\u200b\u200c\u200d\u2060\ufeff\u00ad]"
