"""Keyed pseudonyms that still match across sources, and a vault for the raw values.

A pseudonym is ``"ps_" + HMAC-SHA256(key, kind + "\\x1f" + value)`` as hex, cut to 32 hex
digits (128 bits). With one key per installation the same normalised value gets the same
pseudonym in every source, so records can still be linked, while the value itself cannot be
read back or confirmed by hashing guesses without the key (a plain hash of a phone number can
be reversed by trying all 10^8 mobile numbers). ``kind`` ("phone", "iban", ...) keeps equal
strings of different kinds apart. Values must be normalised by the caller first.

Where a raw value must be recoverable by those entitled to it (e.g. a care coordinator's
intake), :class:`Vault` keeps it encrypted with Fernet (AES-128-CBC + HMAC-SHA256, with a
timestamp) under a separate key.

Keys come from the environment, never from the repository:

- pseudonym key: ``NETZICHT_PSEUDONYM_KEY`` (hex or base64, >= 32 bytes) or
  ``NETZICHT_PSEUDONYM_KEY_FILE`` (a file holding that text, mode 0600 or stricter);
- vault key: ``NETZICHT_VAULT_KEY`` / ``NETZICHT_VAULT_KEY_FILE`` (exactly 32 bytes; a Fernet key
  from ``Fernet.generate_key()`` is accepted as is).

:func:`generate_key_file` writes a fresh random key with mode 0600. Example::

    >>> p = Pseudonymiser(bytes(range(32)))
    >>> p.pseudonym("phone", "+31612345678") == p.pseudonym("phone", "+31612345678")
    True
    >>> p.pseudonym("phone", "+31612345678")[:3]
    'ps_'
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from netzicht.errors import InputFileError, NetzichtError

PSEUDONYM_KEY_ENV = "NETZICHT_PSEUDONYM_KEY"
PSEUDONYM_KEY_FILE_ENV = "NETZICHT_PSEUDONYM_KEY_FILE"
VAULT_KEY_ENV = "NETZICHT_VAULT_KEY"
VAULT_KEY_FILE_ENV = "NETZICHT_VAULT_KEY_FILE"
MIN_KEY_BYTES = 32
SEPARATOR = "\x1f"  # ASCII unit separator: cannot occur in a kind, so kind|value is unambiguous
_HEX = re.compile(r"\A(?:[0-9a-fA-F]{2})+\Z")


class KeyMaterialError(NetzichtError):
    """A key is missing, too short, badly encoded, or kept in a file others can read."""


class VaultError(NetzichtError):
    """A vault token cannot be decrypted (wrong key, or the token was altered)."""


def decode_key(text: str, *, source: str) -> bytes:
    """Decode key text: hex if it is all hex digits, otherwise (URL-safe) base64."""
    text = text.strip()
    if not text:
        raise KeyMaterialError(f"{source}: key is empty")
    if _HEX.match(text):
        return bytes.fromhex(text)
    try:
        padded = text + "=" * (-len(text) % 4)
        return base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise KeyMaterialError(f"{source}: key is neither hex nor base64") from None


def _read_key_file(path: Path, *, source: str) -> bytes:
    try:
        st = path.stat()
    except OSError as exc:
        message = f"{path} (from {source}): cannot read key file: {exc.strerror}"
        raise InputFileError(message) from exc
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o077:
        raise KeyMaterialError(
            f"{path} (from {source}): key file is accessible to group/others "
            f"(mode {mode:04o}); chmod 600 it"
        )
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        raise InputFileError(f"{path}: key file is not readable ASCII text") from None
    return decode_key(text, source=str(path))


def _key_from(env: Mapping[str, str], var: str, file_var: str) -> bytes:
    value, file_value = env.get(var), env.get(file_var)
    if value and file_value:
        raise KeyMaterialError(f"both {var} and {file_var} are set; set only one")
    if value:
        return decode_key(value, source=var)
    if file_value:
        return _read_key_file(Path(file_value), source=file_var)
    raise KeyMaterialError(f"no key configured: set {var} or {file_var}")


def load_key(env: Mapping[str, str] | None = None) -> bytes:
    """The pseudonym key from ``NETZICHT_PSEUDONYM_KEY`` or ``NETZICHT_PSEUDONYM_KEY_FILE``.

    ``env`` defaults to ``os.environ`` (pass a settings mapping to override). Refuses keys
    shorter than 32 bytes and key files that group or others can access.
    """
    key = _key_from(os.environ if env is None else env, PSEUDONYM_KEY_ENV, PSEUDONYM_KEY_FILE_ENV)
    if len(key) < MIN_KEY_BYTES:
        raise KeyMaterialError(
            f"pseudonym key is {len(key)} bytes; at least {MIN_KEY_BYTES} are required"
        )
    return key


def load_vault_key(env: Mapping[str, str] | None = None) -> bytes:
    """The 32-byte vault key from ``NETZICHT_VAULT_KEY`` or ``NETZICHT_VAULT_KEY_FILE``."""
    key = _key_from(os.environ if env is None else env, VAULT_KEY_ENV, VAULT_KEY_FILE_ENV)
    if len(key) != 32:
        raise KeyMaterialError(f"vault key is {len(key)} bytes; a Fernet key is exactly 32")
    return key


def generate_key_file(path: str | os.PathLike[str], *, nbytes: int = 32) -> Path:
    """Write a fresh random key (hex text) to a new file with mode 0600; never overwrites."""
    if nbytes < MIN_KEY_BYTES:
        raise KeyMaterialError(f"refusing to generate a key shorter than {MIN_KEY_BYTES} bytes")
    p = Path(path)
    try:
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyMaterialError(f"{p}: already exists; refusing to overwrite a key") from None
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, (secrets.token_hex(nbytes) + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return p


class Pseudonymiser:
    """``pseudonym(kind, value)`` = ``"ps_"`` + first 32 hex digits of HMAC-SHA256."""

    def __init__(self, key: bytes) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise KeyMaterialError(
                f"pseudonym key is {len(key)} bytes; at least {MIN_KEY_BYTES} are required"
            )
        self._key = bytes(key)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Pseudonymiser:
        return cls(load_key(env))

    def pseudonym(self, kind: str, value: str) -> str:
        if not kind or SEPARATOR in kind:
            raise ValueError(f"pseudonym kind must be non-empty without \\x1f: {kind!r}")
        message = (kind + SEPARATOR + value).encode("utf-8")
        return "ps_" + hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]

    def __repr__(self) -> str:  # never show the key
        return "Pseudonymiser(<key hidden>)"


SIV_PREFIX = "siv1:"


class Vault:
    """Raw values kept encrypted (Fernet); ``encrypt`` -> token text, ``decrypt`` -> value."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise KeyMaterialError(f"vault key is {len(key)} bytes; a Fernet key is exactly 32")
        self._fernet = Fernet(base64.urlsafe_b64encode(key))
        # A separate key for sealing at ingest, derived so the two uses never share key material.
        siv_key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"netzicht vault seal v1"
        ).derive(key)
        self._siv = AESSIV(siv_key)

    def seal(self, value: str) -> str:
        """Deterministic authenticated encryption (AES-SIV) for values sealed at ingest.

        Ingest must be repeatable: the same row ingested into two stores, or again after an
        interruption, must give byte-identical nodes. A Fernet token is random each time; AES-SIV
        gives the same token for the same value, which reveals only equality of sealed values —
        no more than the keyed pseudonyms beside them already do.
        """
        token = self._siv.encrypt(value.encode("utf-8"), None)
        return SIV_PREFIX + base64.urlsafe_b64encode(token).decode("ascii")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Vault:
        return cls(load_vault_key(env))

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            if token.startswith(SIV_PREFIX):
                raw = base64.urlsafe_b64decode(token[len(SIV_PREFIX) :].encode("ascii"))
                return self._siv.decrypt(raw, None).decode("utf-8")
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, InvalidTag, UnicodeEncodeError, ValueError):
            raise VaultError(
                "vault token cannot be decrypted: wrong key, or the token was altered"
            ) from None

    def __repr__(self) -> str:
        return "Vault(<key hidden>)"
