"""A local users file for the dashboard demo (production uses OIDC through `st.login`).

Format (YAML): `users: {name: {password: "pbkdf2_sha256$<iterations>$<salt hex>$<hash hex>",
role: investigator|analyst|care_coordinator|admin, regions: [Amsterdam, ...] or ["*"]}}`.
Passwords are stored only as salted PBKDF2 hashes; `netzicht users add` writes entries.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path
from typing import Any

import yaml

from netzicht.access import ROLES, Identity
from netzicht.errors import InputFileError

ITERATIONS = 200_000


def hash_password(password: str, *, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, iterations, salt, expected = stored.split("$")
    except ValueError:
        return False
    if scheme != "pbkdf2_sha256":
        return False
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), int(iterations))
    return hmac.compare_digest(digest.hex(), expected)


def load_users(path: Path) -> dict[str, dict[str, Any]]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise InputFileError(f"users file {path}: cannot read: {exc.strerror}") from exc
    users = raw.get("users") or {}
    for name, entry in users.items():
        if entry.get("role") not in ROLES:
            raise InputFileError(
                f"users file {path}: user {name}: unknown role {entry.get('role')!r}"
            )
    return users


def authenticate(path: Path, user: str, password: str) -> Identity | None:
    entry = load_users(path).get(user)
    if entry is None or not check_password(password, str(entry.get("password", ""))):
        return None
    return identity_of(user, entry)


def identity_of(user: str, entry: dict[str, Any]) -> Identity:
    regions = entry.get("regions") or ["*"]
    return Identity(user=user, role=str(entry["role"]), regions=tuple(str(r) for r in regions))


def add_user(path: Path, user: str, password: str, role: str, regions: list[str]) -> None:
    if role not in ROLES:
        raise InputFileError(f"unknown role {role!r} (roles: {', '.join(ROLES)})")
    users = load_users(path) if path.exists() else {}
    users[user] = {"password": hash_password(password), "role": role, "regions": regions or ["*"]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"users": users}, sort_keys=True), encoding="utf-8")
    path.chmod(0o600)
