"""A Rasa server whose model fails to load must not count as up.

Rasa 3.6 catches the error of a model that cannot be loaded, logs it and serves anyway, with no
agent: `GET /` still says "Hello from Rasa" while every message is ignored. The project's REST
health check answers 503 then, and everything that waits for the server (the test stacks, `make
run`, the Docker and Kubernetes probes) asks it. The failure here is the real one that matters:
the trained model's safety guard pointed at a risk model that is not on disk.
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import tarfile
from pathlib import Path

import pytest
import requests

from tests.support.stack import MODEL_PATH, PROJECT_ROOT, RasaStack, free_port, stop_process_group

GUARD = "SafetyGuard"


def model_without_risk_model(target: Path) -> Path:
    """A copy of the trained model whose safety guard reads its risk model from a missing folder."""
    changed = 0
    with tarfile.open(MODEL_PATH) as source, tarfile.open(target, "w:gz") as copy:
        for member in source.getmembers():
            data = source.extractfile(member).read() if member.isfile() else None
            if member.name.lstrip("./") == "metadata.json":  # the model's own, not a component's
                metadata = json.loads(data)
                for node in metadata["predict_schema"]["nodes"].values():
                    if node["uses"].endswith(GUARD):
                        node["config"]["risk_model"] = "build/no_such_risk_model"
                        changed += 1
                data = json.dumps(metadata).encode("utf-8")
                member.size = len(data)
            copy.addfile(member, io.BytesIO(data) if data is not None else None)
    assert changed == 1, "the trained model's serving graph should hold one safety guard"
    return target


@pytest.fixture(scope="module")
def broken_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return model_without_risk_model(tmp_path_factory.mktemp("broken") / "intake.tar.gz")


def test_a_server_without_its_model_is_not_counted_as_up(broken_model: Path, tmp_path: Path) -> None:
    stack = RasaStack(workdir=tmp_path, rasa_port=free_port(), actions_port=free_port(), model=broken_model)
    try:
        with pytest.raises(RuntimeError, match="without a model"):
            stack.start_rasa()
        # The process serves, as Rasa does, but says it cannot answer; the cause is in its log.
        assert "Hello from Rasa" in requests.get(f"{stack.rasa_url}/", timeout=10).text
        health = requests.get(f"{stack.rasa_url}/webhooks/rest/", timeout=10)
        assert (health.status_code, health.json()) == (503, {"status": "no_model"})
        assert "no_such_risk_model" in stack.log_tail("rasa", 200)
    finally:
        stack.stop_all()


def test_a_loaded_server_says_ok(stack: RasaStack) -> None:
    health = requests.get(f"{stack.rasa_url}/webhooks/rest/", timeout=10)
    assert (health.status_code, health.json()) == (200, {"status": "ok"})


def test_make_run_refuses_a_server_without_its_model(broken_model: Path, tmp_path: Path) -> None:
    """run.sh stops with a clear error instead of announcing an assistant that ignores everyone."""
    env = {**os.environ, "RASA_MODEL": str(broken_model), "RASA_TOKEN": "test-token",
           "RASA_PORT": str(free_port()), "ACTIONS_PORT": str(free_port()), "WEB_PORT": str(free_port())}
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    with out.open("w") as stdout, err.open("w") as stderr:
        proc = subprocess.Popen(["bash", "scripts/run.sh"], cwd=PROJECT_ROOT, env=env, stdout=stdout,
                                stderr=stderr, start_new_session=True)
    try:
        returncode = proc.wait(timeout=300)
    finally:
        stop_process_group(proc)  # whatever run.sh started, if it ever hangs instead of stopping
    assert returncode == 1, out.read_text() + err.read_text()
    assert "started without its model" in err.read_text()
    assert "The assistant is running" not in out.read_text()
