"""Process secrets (HMAC keys) from the environment, or generated once into var/ for development.

Production sets each key in the environment, so every server of a deployment uses the same one.
A developer machine has no such setup, so the first process that needs a key writes a random one
into var/ (ignored by git) and every later process on that machine reads the same file. The file
is created with O_EXCL, so two processes starting at once cannot write two different keys.

In production (`INTAKE_REQUIRE_KEYS=1`, set by the image) nothing is generated: a server that
made its own key would seal contact details that no other server, and no later deployment, can
read. Each process's command starts with `python -m intake.keys check <process>`, which refuses
to start when one of its keys is missing, too short or still the example file's CHANGE_ME value.
"""
from __future__ import annotations

import os
import re
import secrets
import sys
import time
from pathlib import Path
from typing import List, Mapping, Optional, Sequence

from intake.paths import PROJECT_ROOT

VAR_DIR = PROJECT_ROOT / "var"
REQUIRE_FLAG = "INTAKE_REQUIRE_KEYS"
MIN_SECRET_CHARS = 24
PLACEHOLDER = re.compile(r"CHANGE_ME|^UNSET$")
# The secrets each process cannot run without (deploy/production.env.example says who reads what).
SECRETS_OF = {
    "rasa": ("RASA_TOKEN", "INTAKE_TRACKER_KEY", "INTAKE_WEB_SESSION_KEY", "INTAKE_SMS_ID_KEY"),
    "actions": ("INTAKE_LINK_SECRET",),
    # The web chat's key too: the console reads by it that a conversation is a web chat.
    "web": ("RASA_TOKEN", "INTAKE_LINK_SECRET", "INTAKE_WEB_SESSION_KEY"),
}
# Settings that hold a password: when set, never the example's placeholder.
PASSWORDS_OF = {
    "rasa": ("INTAKE_DATABASE_URL", "TRACKER_DB_PASSWORD", "REDIS_PASSWORD", "INTAKE_SOCKETIO_REDIS_URL"),
    "actions": ("INTAKE_DATABASE_URL",),
    "web": ("INTAKE_DATABASE_URL", "INTAKE_SMTP_PASSWORD"),
}


class MissingKey(RuntimeError):
    """A production process without one of its keys, or with a placeholder for it."""


def keys_required(environ: Mapping[str, str] = os.environ) -> bool:
    return environ.get(REQUIRE_FLAG, "").strip() not in ("", "0", "false", "no")


def key_problem(name: str, value: Optional[str]) -> Optional[str]:
    """Why `value` cannot be the production secret `name`, or None when it can."""
    if not value:
        return f"{name} is not set"
    if PLACEHOLDER.search(value):
        return f"{name} is still the example's placeholder"
    if len(value) < MIN_SECRET_CHARS:
        return f"{name} is shorter than {MIN_SECRET_CHARS} characters"
    return None


def production_problems(process: str, environ: Mapping[str, str] = os.environ) -> List[str]:
    """Everything that keeps `process` (rasa, actions, web) from starting in production."""
    if process not in SECRETS_OF:
        raise ValueError(f"unknown process {process!r}; one of {', '.join(SECRETS_OF)}")
    problems = [p for name in SECRETS_OF[process] if (p := key_problem(name, environ.get(name)))]
    problems += [f"{name} still holds the example's placeholder" for name in PASSWORDS_OF[process]
                 if PLACEHOLDER.search(environ.get(name) or "")]
    return problems


def secret_from_env_or_file(env_var: str, path: Path) -> bytes:
    """The key in `env_var`, else (never in production) the one in `path`, generated there on first use."""
    configured = os.environ.get(env_var)
    if keys_required():
        problem = key_problem(env_var, configured)
        if problem:
            raise MissingKey(f"{problem}; production never generates a key (see deploy/production.env.example)")
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


def main(argv: Sequence[str]) -> int:
    """`python -m intake.keys check <process>`: exit 1, saying why, when it must not start."""
    if len(argv) != 2 or argv[0] != "check" or argv[1] not in SECRETS_OF:
        print(f"usage: python -m intake.keys check {{{','.join(SECRETS_OF)}}}", file=sys.stderr)
        return 2
    problems = production_problems(argv[1])
    for problem in problems:
        print(f"refusing to start the {argv[1]} process: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
