"""Receipt keys with ids (KEY-1): rotation keeps every earlier receipt verifiable."""

from __future__ import annotations

import stat

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from consult.ballots import receipts
from consult.ballots.models import Revision
from consult.cli import main
from consult.core import clock, keyfile
from consult.extensions import db
from tests.conftest import as_owner
from tests.factories import MemberFactory, UserFactory, build_consultation
from tests.integration.ballot_helpers import post_ballot, ranking_form


@pytest.fixture
def key_file(app, monkeypatch, tmp_path):
    """A key file of this test's own, with one key."""
    path = tmp_path / "receipt-keys"
    keyfile.rotate(path, clock.now())
    monkeypatch.setitem(app.config, "RECEIPT_KEYS_FILE", str(path))
    return path


@pytest.fixture
def chile(client, auth):
    member = MemberFactory(code="CHL", name="Chile")
    UserFactory(email="chl@example.org", member=member)
    c = build_consultation()
    auth.login("chl@example.org")
    return c


def revisions() -> list[Revision]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Revision).order_by(Revision.number)))


def receipt_check(client, code: str) -> str:
    return client.get("/consultations/idm-2010/receipt", query_string={"code": code}).get_data(
        as_text=True
    )


def test_rotation_keeps_earlier_receipts_verifiable(client, runner, key_file, chile):
    first_key = keyfile.read(key_file).current
    assert post_ballot(client, "idm-2010", ranking_form(chile, {1: "1"})).status_code == 303
    second_key = keyfile.rotate(key_file, clock.now())
    assert post_ballot(client, "idm-2010", ranking_form(chile, {2: "1"})).status_code == 303
    old, new = revisions()
    assert (old.key_id, new.key_id) == (first_key.id, second_key.id)
    assert old.receipt == receipts.receipt_code(
        first_key.secret, old.response_id, 1, old.content, old.audit_head
    )
    assert new.receipt == receipts.receipt_code(
        second_key.secret, new.response_id, 2, new.content, new.audit_head
    )
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "revision chains intact (2 revisions of 1 responses)" in result.output
    assert "the receipt of revision 1" in receipt_check(client, old.receipt)
    page = receipt_check(client, new.receipt)
    assert "the receipt of revision 2" in page
    assert second_key.id in page


def test_a_receipt_whose_key_is_gone_is_reported(client, runner, key_file, chile):
    assert post_ballot(client, "idm-2010", ranking_form(chile, {1: "1"})).status_code == 303
    replacement = keyfile.Keyring((keyfile.new_key(keyfile.Keyring(), clock.now()),))
    key_file.write_text(keyfile.dump(replacement))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "revision 1: was signed with a receipt key that is not configured" in result.output


def test_a_receipt_under_another_key_of_the_same_id_is_a_forgery(client, runner, key_file, chile):
    assert post_ballot(client, "idm-2010", ranking_form(chile, {1: "1"})).status_code == 303
    (key,) = keyfile.read(key_file).keys
    forged = keyfile.Keyring((keyfile.Key(key.id, b"f" * 32),))
    key_file.write_text(keyfile.dump(forged))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "revision 1: does not match its receipt" in result.output


def test_receipts_from_before_key_ids_verify_with_the_secret_key(
    app, client, runner, key_file, chile
):
    assert post_ballot(client, "idm-2010", ranking_form(chile, {1: "1"})).status_code == 303
    (revision,) = revisions()
    legacy = receipts.receipt_code(
        app.config["SECRET_KEY"].encode(), revision.response_id, 1, revision.content
    )
    as_owner(
        "UPDATE revision SET key_id = NULL, audit_seq = NULL, audit_digest = NULL, receipt = :r",
        r=legacy,
    )
    as_owner("UPDATE response SET receipt = :r", r=legacy)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output


def test_keys_rotate_and_list_on_the_command_line(tmp_path):
    path = tmp_path / "keys"
    env = {"CONSULT_RECEIPT_KEYS_FILE": str(path)}
    cli = CliRunner()
    missing = cli.invoke(main, ["keys", "list"], env=env)
    assert missing.exit_code == 1
    assert "run `consult keys rotate`" in missing.output
    first = cli.invoke(main, ["keys", "rotate"], env=env)
    assert first.exit_code == 0, first.output
    second = cli.invoke(main, ["keys", "rotate"], env=env)
    assert second.exit_code == 0, second.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    ring = keyfile.read(path)
    assert len(ring.keys) == 2
    listed = cli.invoke(main, ["keys", "list"], env=env)
    assert listed.output.splitlines() == [
        f"{ring.keys[0].id}  verifies",
        f"{ring.keys[1].id}  signs",
    ]
    import base64

    shown = listed.output + first.output + second.output
    assert not any(base64.urlsafe_b64encode(k.secret).decode() in shown for k in ring.keys)


def test_a_damaged_key_file_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "keys"
    path.write_text("20270101-abcd not-base64-and-short\n")
    result = CliRunner().invoke(
        main, ["keys", "rotate"], env={"CONSULT_RECEIPT_KEYS_FILE": str(path)}
    )
    assert result.exit_code == 1
    assert "line 1" in result.output
    assert path.read_text() == "20270101-abcd not-base64-and-short\n"


def test_production_refuses_to_start_without_a_receipt_key(monkeypatch, tmp_path):
    from consult import create_app

    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("CONSULT_RECEIPT_KEYS_FILE", str(tmp_path / "none"))
    with pytest.raises(RuntimeError, match="consult keys rotate"):
        create_app("production", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
