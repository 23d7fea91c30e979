"""Creating the `rasa init` assistant and timing `rasa train` the same way for both assistants.

Both trainings run the same command (`rasa train --force --fixed-model-name bench --out ...`)
from their project's folder, each with an empty training cache of its own: `--force` already
ignores cached results, and the private cache keeps the benchmark from filling (or racing on)
the project's `.rasa/cache` that `make setup` uses.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Dict, Optional

from tests.support.stack import PROJECT_ROOT, VENV_BIN, stop_process_group

MODEL_NAME = "bench"


def training_env() -> Dict[str, str]:
    """The environment of `make setup`'s training: no telemetry, quiet TensorFlow, the project
    importable (custom components in rasa_addons/)."""
    return {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "TF_CPP_MIN_LOG_LEVEL": "3", "RASA_TELEMETRY_ENABLED": "false"}


def create_rasa_init_project(project_dir: Path) -> None:
    """A fresh `rasa init` project (moodbot), without `rasa init`'s own untimed training.

    `rasa init --no-prompt` copies the scaffold and then trains; copying the same scaffold with
    the function `rasa init` calls lets the one training we do be the timed one.
    """
    shutil.rmtree(project_dir, ignore_errors=True)
    project_dir.mkdir(parents=True)
    subprocess.run(
        [str(VENV_BIN / "python"), "-c",
         "import sys; from rasa.cli.scaffold import create_initial_project; create_initial_project(sys.argv[1])",
         str(project_dir)],
        check=True, env=training_env(),
    )


def train(project_dir: Path, out_dir: Path, log_path: Path) -> float:
    """Train one assistant from scratch and return the wall-clock seconds `rasa train` took.

    The command runs in its own process group so Ctrl-C or an error here stops all of it.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="intake-bench-cache-") as cache_dir, open(log_path, "wb") as log:
        env = {**training_env(), "RASA_CACHE_DIRECTORY": cache_dir}
        started = time.monotonic()
        process = subprocess.Popen(
            [str(VENV_BIN / "rasa"), "train", "--force", "--fixed-model-name", MODEL_NAME,
             "--out", str(out_dir)],
            cwd=project_dir, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            code = process.wait()
        finally:
            stop_process_group(process)
        seconds = time.monotonic() - started
    if code != 0:
        raise RuntimeError(f"rasa train failed in {project_dir} (exit {code}); see {log_path}")
    return seconds


def trained_model(out_dir: Path) -> Optional[Path]:
    """The model `train` wrote to out_dir, if there is one."""
    path = out_dir / f"{MODEL_NAME}.tar.gz"
    return path if path.exists() else None
