"""The receipt key file (pure): parsing, writing, rotating."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from consult.core import keyfile

NOW = datetime(2027, 1, 14, 9, 30, tzinfo=UTC)


def test_rotation_appends_a_signing_key_and_keeps_the_others(tmp_path):
    path = tmp_path / "sub" / "keys"
    first = keyfile.rotate(path, NOW)
    second = keyfile.rotate(path, NOW)
    ring = keyfile.read(path)
    assert ring.keys == (first, second)
    assert ring.current == second
    assert first.id.startswith("20270114-")
    assert first.id != second.id
    assert len(first.secret) == 32
    assert first.secret != second.secret
    assert ring.secret(first.id) == first.secret
    assert ring.secret("20000101-0000") is None


def test_dump_and_parse_round_trip_with_comments():
    ring = keyfile.Keyring((keyfile.new_key(keyfile.Keyring(), NOW),))
    text = keyfile.dump(ring) + "\n# a note\n"
    assert text.startswith("#")
    assert keyfile.parse(text) == ring


def test_no_file_no_key(tmp_path):
    ring = keyfile.read(tmp_path / "missing")
    assert ring.keys == ()
    with pytest.raises(keyfile.NoKey):
        _ = ring.current


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("just-one-word\n", "line 1: expected"),
        ("bad-id " + "A" * 44 + "\n", "line 1: expected"),
        ("20270101-abcd " + "QUFB" + "\n", "shorter than 32 bytes"),
        ("20270101-abcd " + "*" * 44 + "\n", "not base64"),
        ("20270101-abcd {k}\n20270101-abcd {k}\n", "appears twice"),
    ],
)
def test_damaged_files_are_refused(text, message):
    import base64

    key = base64.urlsafe_b64encode(b"k" * 32).decode()
    with pytest.raises(keyfile.BadKeyFile, match=message):
        keyfile.parse(text.format(k=key))


def test_a_key_never_shows_its_secret():
    key = keyfile.new_key(keyfile.Keyring(), NOW)
    assert repr(key) == f"Key({key.id!r})"
