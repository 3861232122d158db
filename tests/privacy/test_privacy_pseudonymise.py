"""Keyed pseudonyms, key loading from env/files with permission checks, and the Fernet vault."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from netzicht.errors import NetzichtError
from netzicht.privacy.pseudonymise import (
    KeyMaterialError,
    Pseudonymiser,
    Vault,
    VaultError,
    generate_key_file,
    load_key,
    load_vault_key,
)

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
PHONE = "+31612345678"


def test_pseudonym_is_hmac_sha256_of_kind_and_value() -> None:
    expected = hmac.new(KEY, b"phone\x1f" + PHONE.encode(), hashlib.sha256).hexdigest()[:32]
    assert Pseudonymiser(KEY).pseudonym("phone", PHONE) == "ps_" + expected
    assert re.fullmatch(r"ps_[0-9a-f]{32}", Pseudonymiser(KEY).pseudonym("iban", "NL91ABNA..."))


def test_same_key_matches_across_sources_loaded_differently(tmp_path: Path) -> None:
    key_file = tmp_path / "pseudonym.key"
    key_file.write_text(KEY.hex() + "\n", encoding="ascii")
    key_file.chmod(0o600)
    police = Pseudonymiser(load_key({"NETZICHT_PSEUDONYM_KEY": KEY.hex()}))
    nla = Pseudonymiser(load_key({"NETZICHT_PSEUDONYM_KEY": base64.b64encode(KEY).decode()}))
    municipality = Pseudonymiser(load_key({"NETZICHT_PSEUDONYM_KEY_FILE": str(key_file)}))
    values = {p.pseudonym("phone", PHONE) for p in (police, nla, municipality)}
    assert len(values) == 1


def test_different_key_or_kind_gives_a_different_pseudonym() -> None:
    a = Pseudonymiser(KEY).pseudonym("phone", PHONE)
    assert Pseudonymiser(OTHER_KEY).pseudonym("phone", PHONE) != a
    assert Pseudonymiser(KEY).pseudonym("iban", PHONE) != a
    # The separator keeps kind and value apart: ("ab", "c") is not ("a", "bc").
    p = Pseudonymiser(KEY)
    assert p.pseudonym("ab", "c") != p.pseudonym("a", "bc")
    with pytest.raises(ValueError, match="kind"):
        p.pseudonym("a\x1fb", "c")


def test_no_raw_value_in_pseudonym_or_repr() -> None:
    p = Pseudonymiser(KEY)
    out = p.pseudonym("phone", PHONE)
    for form in (PHONE, "31612345678", "612345678", "0612345678"):
        assert form not in out
    assert KEY.hex() not in repr(p) and "hidden" in repr(p)


def test_short_or_missing_or_ambiguous_keys_are_refused() -> None:
    with pytest.raises(KeyMaterialError, match="31 bytes; at least 32"):
        load_key({"NETZICHT_PSEUDONYM_KEY": bytes(31).hex()})
    with pytest.raises(KeyMaterialError, match="at least 32"):
        Pseudonymiser(b"short")
    with pytest.raises(KeyMaterialError, match="no key configured"):
        load_key({})
    with pytest.raises(KeyMaterialError, match="neither hex nor base64"):
        load_key({"NETZICHT_PSEUDONYM_KEY": "not a key!"})
    with pytest.raises(KeyMaterialError, match="set only one"):
        load_key({"NETZICHT_PSEUDONYM_KEY": KEY.hex(), "NETZICHT_PSEUDONYM_KEY_FILE": "/x"})


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_key_file_readable_by_group_or_world_is_refused(tmp_path: Path, mode: int) -> None:
    key_file = tmp_path / "pseudonym.key"
    key_file.write_text(KEY.hex(), encoding="ascii")
    key_file.chmod(mode)
    with pytest.raises(KeyMaterialError, match=rf"pseudonym\.key .*mode {mode:04o}"):
        load_key({"NETZICHT_PSEUDONYM_KEY_FILE": str(key_file)})


def test_generated_key_file_is_0600_fresh_and_never_overwritten(tmp_path: Path) -> None:
    a = generate_key_file(tmp_path / "a.key")
    b = generate_key_file(tmp_path / "b.key")
    assert a.stat().st_mode & 0o777 == 0o600
    key_a = load_key({"NETZICHT_PSEUDONYM_KEY_FILE": str(a)})
    assert len(key_a) == 32
    assert key_a != load_key({"NETZICHT_PSEUDONYM_KEY_FILE": str(b)})
    before = a.read_text(encoding="ascii")
    with pytest.raises(KeyMaterialError, match="refusing to overwrite"):
        generate_key_file(a)
    assert a.read_text(encoding="ascii") == before


def test_vault_round_trip_and_refusals(tmp_path: Path) -> None:
    fernet_key = Fernet.generate_key().decode()
    vault = Vault.from_env({"NETZICHT_VAULT_KEY": fernet_key})
    token = vault.encrypt(PHONE)
    assert PHONE not in token and "31612345678" not in token
    assert vault.decrypt(token) == PHONE
    assert vault.encrypt(PHONE) != token  # random IV: equal values do not show as equal
    other = Vault(OTHER_KEY)
    with pytest.raises(VaultError, match="wrong key"):
        other.decrypt(token)
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(VaultError):
        vault.decrypt(tampered)
    with pytest.raises(KeyMaterialError, match="exactly 32"):
        load_vault_key({"NETZICHT_VAULT_KEY": bytes(16).hex()})
    key_file = generate_key_file(tmp_path / "vault.key")
    from_file = Vault.from_env({"NETZICHT_VAULT_KEY_FILE": str(key_file)})
    assert from_file.decrypt(from_file.encrypt("Ünïcode")) == "Ünïcode"
    assert issubclass(VaultError, NetzichtError) and issubclass(KeyMaterialError, NetzichtError)
