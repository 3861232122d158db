"""Key files for a local demo: created once, mode 0600, outside the repository.

Production keys come from the environment or a secrets store (NETZICHT_PSEUDONYM_KEY[_FILE],
NETZICHT_VAULT_KEY[_FILE]); `netzicht demo` and the tests use this to have working keys.
"""

from __future__ import annotations

import os
from pathlib import Path

from netzicht.privacy.pseudonymise import (
    PSEUDONYM_KEY_ENV,
    PSEUDONYM_KEY_FILE_ENV,
    VAULT_KEY_ENV,
    VAULT_KEY_FILE_ENV,
    generate_key_file,
)


def ensure_local_keys(data_dir: Path) -> None:
    """Point the process at key files under `data_dir/keys`, creating them the first time."""
    folder = data_dir / "keys"
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    for env, file_env, name in (
        (PSEUDONYM_KEY_ENV, PSEUDONYM_KEY_FILE_ENV, "pseudonym.key"),
        (VAULT_KEY_ENV, VAULT_KEY_FILE_ENV, "vault.key"),
    ):
        if os.environ.get(env) or os.environ.get(file_env):
            continue  # the operator configured a key: never replace it
        path = folder / name
        if not path.exists():
            generate_key_file(path)
        os.environ[file_env] = str(path)
