"""Process secrets (HMAC keys) from the environment, or generated once into var/ for development.

Production sets each key in the environment, so every server of a deployment uses the same one.
A developer machine has no such setup, so the first process that needs a key writes a random one
into var/ (ignored by git) and every later process on that machine reads the same file. The file
is created with O_EXCL, so two processes starting at once cannot write two different keys.
"""
from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from intake.paths import PROJECT_ROOT

VAR_DIR = PROJECT_ROOT / "var"


def secret_from_env_or_file(env_var: str, path: Path) -> bytes:
    """The key in `env_var`, else the one in `path`, generated there on first use."""
    configured = os.environ.get(env_var)
    if configured:
        return configured.encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(32))
    for _ in range(50):  # another process may have created the file and not yet written it
        key = path.read_text(encoding="utf-8").strip()
        if key:
            return key.encode()
        time.sleep(0.01)
    raise RuntimeError(f"{path} is empty; delete it or set {env_var}")
