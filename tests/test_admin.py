"""The drawings' admin: a password hash, compared in constant time, rate-limited."""

from __future__ import annotations

import hmac
import io
import sys

import pytest

from digits_knn.commands.cli import main
from digits_knn.drawings import admin
from digits_knn.drawings.admin import (
    FREE_TRIES,
    MAX_WAIT,
    WINDOW,
    AdminConfigError,
    SignInLimiter,
    hash_password,
    verify_password,
    wait_after,
)


def test_a_hash_verifies_its_password_only() -> None:
    encoded = hash_password("a long pass phrase", iterations=1000)
    assert verify_password("a long pass phrase", encoded)
    assert not verify_password("a long pass phrasE", encoded)
    assert not verify_password("", encoded)
    assert "a long pass phrase" not in encoded
    assert hash_password("same", iterations=1000) != hash_password(
        "same", iterations=1000
    )


def test_the_comparison_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def compare_digest(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(admin.hmac, "compare_digest", compare_digest)
    assert not verify_password("wrong", hash_password("right", iterations=1000))
    assert len(compared) == 1
    assert len(compared[0][0]) == len(compared[0][1]) == 32


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "true",
        "pbkdf2_sha256$1000$salt",
        "md5$1000$c2FsdA==$aGFzaA==",
        "pbkdf2_sha256$many$c2FsdA==$aGFzaA==",
        "pbkdf2_sha256$0$c2FsdA==$aGFzaA==",
        "pbkdf2_sha256$1000$not base64!$aGFzaA==",
    ],
)
def test_a_malformed_hash_is_a_configuration_error(encoded: str) -> None:
    with pytest.raises(AdminConfigError, match="hash"):
        verify_password("anything", encoded)


def test_tries_are_counted_before_the_check_and_wait_at_most_a_minute() -> None:
    limiter = SignInLimiter()
    assert [limiter.claim(now=0.0) for _ in range(FREE_TRIES)] == [0.0] * FREE_TRIES
    assert limiter.claim(now=0.0) == 1.0  # refused, and not counted
    assert limiter.claim(now=1.0) == 0.0
    assert limiter.claim(now=1.0) == 2.0
    waits = []
    now = 1.0
    for _ in range(200):  # a stranger guessing as fast as allowed
        wait = limiter.claim(now=now)
        waits.append(wait)
        now += wait
    assert max(waits) == MAX_WAIT
    assert limiter.claim(now=now + MAX_WAIT) == 0.0  # a minute later, the admin's turn
    limiter.succeeded()
    assert limiter.claim(now=now) == 0.0
    assert wait_after([0.0] * 100, now=WINDOW + 1) == 0.0  # old tries forgotten


def test_cli_prints_a_hash_for_the_secrets(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("twelve chars ok\n"))
    assert main(["admin-hash", "--stdin"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith('admin_password_hash = "pbkdf2_sha256$')
    assert verify_password("twelve chars ok", line.split('"')[1])


def test_cli_refuses_a_short_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert main(["admin-hash", "--stdin"]) == 2
    assert "at least 12" in capsys.readouterr().err
