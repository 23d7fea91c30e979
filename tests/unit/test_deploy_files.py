"""The production deployment files in deploy/, read as the tools that use them read them.

Nothing here builds an image or starts a container: the files are loaded with yaml (Compose file,
Helm values, Kubernetes manifests) or read as text (Dockerfile, env file, nginx configuration) and
checked for what a deployment of a clinic's assistant must never get wrong: every process has
telemetry off, every Rasa server protects its HTTP API with `--jwt-secret=<secret>` (no token in URLs), every setting
the production endpoints need reaches every Rasa server and is documented, several Sanic workers
only with the Redis lock store, and no secret is written into a committed file.
"""
from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path
from typing import Dict, Iterator, List, Mapping, Tuple

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE_FILE = DEPLOY / "docker-compose.yml"
ENV_EXAMPLE = DEPLOY / "production.env.example"
DOCKERFILE = DEPLOY / "Dockerfile"
DOCKERIGNORE = DEPLOY / "Dockerfile.dockerignore"
NGINX_CONF = DEPLOY / "nginx" / "intake.conf"
HELM = DEPLOY / "helm"
RASA_VALUES = HELM / "rasa-values.yaml"
ACTION_VALUES = HELM / "action-server-values.yaml"
MANIFESTS = (HELM / "webapp.yaml", HELM / "cluster-extras.yaml")
PRODUCTION_ENDPOINTS = ROOT / "config" / "endpoints.production.yml"

# The env file Compose reads; the committed example stands in for it (the real one is never committed).
ENV_FILE_NAME = "production.env"
SECRET_NAME = re.compile(r"PASSWORD|TOKEN|SECRET|_KEY$|ACCOUNT_SID|DATABASE_URL|ALERT_WEBHOOK_URL")
ENDPOINT_VARIABLE = re.compile(r"\$\{(\w+)\}")
K8S_SECRET = "intake-secrets"

# What each process reads besides its endpoints (see the README and the code named in the example).
NEEDS = {
    "rasa": {"RASA_TOKEN", "INTAKE_TRACKER_KEY", "INTAKE_SMS_ID_KEY", "INTAKE_WEB_SESSION_KEY", "INTAKE_DATABASE_URL",
             "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_NUMBER", "SANIC_WORKERS",
             "SQL_POOL_SIZE", "SQL_MAX_OVERFLOW"},
    "actions": {"INTAKE_DATABASE_URL", "INTAKE_LINK_SECRET", "INTAKE_PUBLIC_WEB_URL"},
    "webapp": {"RASA_TOKEN", "INTAKE_RASA_URL", "INTAKE_RASA_PUBLIC_URL", "INTAKE_DATABASE_URL",
               "INTAKE_LINK_SECRET", "INTAKE_PUBLIC_WEB_URL", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN",
               "TWILIO_NUMBER"},
}
# Variables only the Compose file's own PostgreSQL and Redis containers read.
COMPOSE_ONLY = {"POSTGRES_PASSWORD", "APP_DB_NAME", "APP_DB_USER", "APP_DB_PASSWORD"}

# Top-level keys of the two charts' values.yaml (RasaHQ/helm-charts, charts/rasa and
# charts/rasa-action-server): a key outside these is silently ignored by Helm.
RASA_CHART_KEYS = {
    "nameOverride", "fullnameOverride", "registry", "applicationSettings", "replicaCount",
    "networkPolicy", "args", "extraArgs", "command", "extraEnv", "image", "serviceAccount",
    "podAnnotations", "podLabels", "deploymentAnnotations", "deploymentLabels", "podSecurityContext",
    "securityContext", "service", "ingress", "resources", "autoscaling", "nodeSelector", "tolerations",
    "affinity", "strategy", "livenessProbe", "readinessProbe", "initContainers", "extraContainers",
    "volumes", "volumeMounts", "global", "postgresql", "redis", "rabbitmq", "nginx",
    "rasa-action-server", "duckling",
}
RASA_APPLICATION_SETTINGS = {
    "debugMode", "initialModel", "trainInitialModel", "port", "scheme", "token", "cors", "enableAPI",
    "credentials", "telemetry", "endpoints", "rasaX",
}
ACTION_CHART_KEYS = {
    "nameOverride", "fullnameOverride", "registry", "applicationSettings", "replicaCount", "args",
    "command", "extraEnv", "image", "serviceAccount", "podAnnotations", "podLabels",
    "deploymentAnnotations", "deploymentLabels", "podSecurityContext", "securityContext", "service",
    "ingress", "resources", "autoscaling", "nodeSelector", "tolerations", "affinity", "strategy",
    "livenessProbe", "readinessProbe", "initContainers", "volumes", "volumeMounts",
}


# --- reading the files ---------------------------------------------------------------------------------

def load_yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def env_file(path: Path) -> Dict[str, str]:
    """KEY=VALUE lines of an env file (comments and blank lines skipped)."""
    values = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        assert "=" in line, f"{path.name}:{number}: not KEY=VALUE: {line!r}"
        key, value = line.split("=", 1)
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*", key), f"{path.name}:{number}: bad name {key!r}"
        assert key not in values, f"{path.name}:{number}: {key} is set twice"
        values[key] = value
    return values


def compose_services() -> Dict[str, dict]:
    return load_yaml(COMPOSE_FILE)["services"]


def compose_environment(service: Mapping) -> Dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {key: "" if value is None else str(value) for key, value in environment.items()}


def compose_env_files(service: Mapping) -> List[str]:
    files = service.get("env_file") or []
    return [files] if isinstance(files, str) else list(files)


def compose_provided(service: Mapping) -> Dict[str, str]:
    """The environment a service's container gets: its env file (the example stands in), then
    `environment`, which wins."""
    values: Dict[str, str] = {}
    for name in compose_env_files(service):
        assert name == ENV_FILE_NAME, f"unexpected env file {name}"
        values.update(env_file(ENV_EXAMPLE))
    values.update(compose_environment(service))
    return values


def command_text(command) -> str:
    """A Compose or Kubernetes command as one line; Compose's `$$` is a literal `$` in the container."""
    text = " ".join(command) if isinstance(command, list) else str(command or "")
    return text.replace("$$", "$")


def is_rasa_server(command: str) -> bool:
    return re.search(r"\brasa run\b(?! actions)", command) is not None


def signs_api_calls_with_secret_from_env(command: str) -> bool:
    """`--jwt-secret=<a variable>` and no `--auth-token` (which takes the secret in query strings,
    where access logs keep it): never the two-word form (a secret starting with '-' would be read
    as an option) and never a secret written into the command itself."""
    if "--auth-token" in command or re.search(r"--jwt-secret(\s|$)", command):
        return False
    values = re.findall(r"--jwt-secret=(\S+)", command)
    return bool(values) and all(re.fullmatch(r'"?\$(\w+|\{\w+\}|\(\w+\))"?', value) for value in values)


def endpoints_file(command: str) -> Path:
    match = re.search(r"--endpoints[= ](\S+)", command)
    assert match, f"no --endpoints in {command!r}"
    return ROOT / match.group(1)


def lock_store_allows_workers(endpoints: Path) -> bool:
    """Several Sanic workers need a lock store shared between processes: Redis, named as `redis`
    or as a class built on Rasa's RedisLockStore (Rasa itself refuses only the in-memory one)."""
    lock_store = (load_yaml(endpoints) or {}).get("lock_store") or {}
    kind = str(lock_store.get("type", ""))
    if kind.lower() == "redis":
        return True
    if "." not in kind:
        return False
    from rasa.core.lock_store import RedisLockStore

    module, _, name = kind.rpartition(".")
    store = getattr(importlib.import_module(module), name)
    return isinstance(store, type) and issubclass(store, RedisLockStore)


def yaml_strings(node) -> Iterator[str]:
    if isinstance(node, dict):
        for value in node.values():
            yield from yaml_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from yaml_strings(value)
    elif isinstance(node, str):
        yield node


def endpoint_variables(endpoints: Path) -> set:
    """The ${VAR}s Rasa expands: those in the file's values (not in its comments)."""
    return {name for value in yaml_strings(load_yaml(endpoints)) for name in ENDPOINT_VARIABLE.findall(value)}


def rasa_chart_env(values: Mapping) -> List[Tuple[str, dict]]:
    """The env of the rasa chart's `rasa-oss` container: what the chart sets, then extraEnv."""
    settings = values["applicationSettings"]
    chart = [
        ("RASA_TELEMETRY_ENABLED", {"value": str(settings["telemetry"]["enabled"]).lower()}),
        ("MPLCONFIGDIR", {"value": "/tmp/.matplotlib"}),
        ("TF_CPP_MIN_LOG_LEVEL", {"value": "2"}),
        ("RASA_TOKEN", {"valueFrom": {"secretKeyRef": {"key": "rasa-token"}}}),
        ("JWT_SECRET", {"valueFrom": {"secretKeyRef": {"key": "jwt-secret"}}}),
    ]
    return chart + [(item["name"], item) for item in values.get("extraEnv") or []]


def manifest_containers() -> Iterator[Tuple[str, dict]]:
    for path in MANIFESTS:
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if document and document.get("kind") in {"Deployment", "StatefulSet", "Job", "CronJob"}:
                spec = document["spec"]["template"]["spec"]
                for container in (spec.get("initContainers") or []) + spec["containers"]:
                    yield f"{path.name}:{document['metadata']['name']}/{container['name']}", container


def helm_processes() -> Iterator[Tuple[str, str, List[Tuple[str, dict]]]]:
    """(name, command line, env entries) of every container the Helm files start."""
    rasa = load_yaml(RASA_VALUES)
    yield "rasa chart", command_text((rasa.get("command") or []) + (rasa.get("args") or [])), rasa_chart_env(rasa)
    actions = load_yaml(ACTION_VALUES)
    yield ("action-server chart", command_text((actions.get("command") or []) + (actions.get("args") or [])),
           [(item["name"], item) for item in actions.get("extraEnv") or []])
    for name, container in manifest_containers():
        yield (name, command_text((container.get("command") or []) + (container.get("args") or [])),
               [(item["name"], item) for item in container.get("env") or []])


def env_names(entries: List[Tuple[str, dict]]) -> set:
    return {name for name, _ in entries}


def env_value(entries: List[Tuple[str, dict]], name: str):
    matches = [entry for key, entry in entries if key == name]
    return matches[-1].get("value") if matches else None


def process_kind(command: str) -> str:
    if "rasa run actions" in command:
        return "actions"
    if is_rasa_server(command):
        return "rasa"
    if "intake.webapp.app" in command:
        return "webapp"
    return ""


# --- the checks' own checks: each can fail ------------------------------------------------------------

def test_the_auth_token_check_refuses_the_two_word_form_and_literal_tokens():
    assert signs_api_calls_with_secret_from_env('rasa run --enable-api --jwt-secret="$RASA_TOKEN"')
    assert signs_api_calls_with_secret_from_env("rasa run --enable-api --jwt-secret=$(RASA_TOKEN)")
    assert not signs_api_calls_with_secret_from_env('rasa run --enable-api --jwt-secret "$RASA_TOKEN"')
    assert not signs_api_calls_with_secret_from_env("rasa run --enable-api --jwt-secret=s3cr3t-token")
    assert not signs_api_calls_with_secret_from_env('rasa run --enable-api --jwt-secret="$RASA_TOKEN" '
                                                    '--auth-token="$RASA_TOKEN"')
    assert not signs_api_calls_with_secret_from_env("rasa run --enable-api")


def test_the_worker_check_tells_a_redis_lock_store_from_none(tmp_path):
    assert not lock_store_allows_workers(ROOT / "endpoints.yml")  # the embedded default: no lock store
    in_memory = tmp_path / "endpoints.yml"
    in_memory.write_text("lock_store:\n  type: in_memory\n")
    assert not lock_store_allows_workers(in_memory)
    named = tmp_path / "named.yml"
    named.write_text("lock_store:\n  type: redis\n")
    assert lock_store_allows_workers(named)
    custom = tmp_path / "custom.yml"
    custom.write_text("lock_store:\n  type: rasa.core.lock_store.InMemoryLockStore\n")
    assert not lock_store_allows_workers(custom)
    assert lock_store_allows_workers(PRODUCTION_ENDPOINTS)


def test_the_endpoint_variables_are_read_from_the_file():
    variables = endpoint_variables(PRODUCTION_ENDPOINTS)
    assert {"ACTION_SERVER_URL", "TRACKER_DB_PASSWORD", "REDIS_HOST", "REDIS_KEY_PREFIX"} <= variables


# --- Docker Compose -------------------------------------------------------------------------------------

def test_compose_has_every_part_of_the_design():
    services = compose_services()
    assert {"postgres", "redis", "actions", "webapp", "lb"} <= set(services)
    kinds = [process_kind(command_text(service.get("command"))) for service in services.values()]
    assert kinds.count("rasa") >= 2, "at least two Rasa servers behind the load balancer"
    assert kinds.count("actions") == 1 and services["actions"]["deploy"]["replicas"] >= 2
    assert kinds.count("webapp") == 1


@pytest.mark.parametrize("name", sorted(compose_services()))
def test_every_compose_service_has_telemetry_off(name):
    service = compose_services()[name]
    assert compose_environment(service).get("RASA_TELEMETRY_ENABLED") == "false", name


KEY_CHECK_OF = {"rasa": "rasa", "actions": "actions", "webapp": "web"}


def checks_its_keys_first(command: str) -> bool:
    """The process's command starts with `python -m intake.keys check <its kind>`, and starts the
    process only when the check passed (`&&`, or `|| exit 1;`)."""
    kind = process_kind(command)
    match = re.search(r"python -m intake\.keys check (\w+)\s*(&&|\|\|)", command)
    return bool(kind) and match is not None and match.group(1) == KEY_CHECK_OF[kind] \
        and command.index(match.group(0)) < command.index("exec ")


def test_the_key_check_check_can_fail():
    assert checks_its_keys_first("sh -c python -m intake.keys check actions && exec rasa run actions --port 5055")
    assert not checks_its_keys_first("sh -c python -m intake.keys check web && exec rasa run actions --port 5055")
    assert not checks_its_keys_first("rasa run actions --port 5055")


def test_every_process_of_every_deployment_refuses_to_start_without_its_keys():
    commands = [(name, command_text(service.get("command"))) for name, service in compose_services().items()]
    commands += [(name, command) for name, command, _ in helm_processes()]
    checked = [name for name, command in commands if process_kind(command)]
    assert len(checked) >= 6, checked  # compose: 2 Rasa servers, actions, web app; helm: the same three
    for name, command in commands:
        if process_kind(command):
            assert checks_its_keys_first(command), f"{name}: {command}"
    assert "INTAKE_REQUIRE_KEYS=1" in DOCKERFILE.read_text(encoding="utf-8")


def test_every_compose_rasa_server_passes_the_token_with_equals():
    for name, service in compose_services().items():
        command = command_text(service.get("command"))
        if is_rasa_server(command):
            assert signs_api_calls_with_secret_from_env(command), f"{name}: {command}"
            assert "--enable-api" in command and "--model models/intake.tar.gz" in command
            assert endpoints_file(command) == PRODUCTION_ENDPOINTS, name
            assert "--credentials credentials.yml" in command and "--port 5005" in command


def test_every_endpoint_variable_reaches_every_compose_rasa_server_and_is_documented():
    documented = env_file(ENV_EXAMPLE)
    servers = 0
    for name, service in compose_services().items():
        command = command_text(service.get("command"))
        if not is_rasa_server(command):
            continue
        servers += 1
        provided = compose_provided(service)
        variables = endpoint_variables(endpoints_file(command))
        assert variables, f"{name}: its endpoints file reads nothing from the environment"
        assert not variables - set(provided), f"{name} lacks {sorted(variables - set(provided))}"
        assert not variables - set(documented), f"undocumented: {sorted(variables - set(documented))}"
    assert servers >= 2


def test_every_compose_process_gets_what_it_reads():
    for name, service in compose_services().items():
        kind = process_kind(command_text(service.get("command")))
        if kind:
            missing = NEEDS[kind] - set(compose_provided(service))
            assert not missing, f"{name} ({kind}) lacks {sorted(missing)}"


def test_compose_uses_several_sanic_workers_only_with_the_redis_lock_store():
    for name, service in compose_services().items():
        command = command_text(service.get("command"))
        if is_rasa_server(command):
            workers = int(compose_provided(service).get("SANIC_WORKERS", "1"))
            assert workers >= 1
            if workers > 1:
                assert lock_store_allows_workers(endpoints_file(command)), name


def test_no_secret_is_written_in_the_compose_file():
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    for name, service in compose_services().items():
        for key, value in compose_environment(service).items():
            if SECRET_NAME.search(key):
                assert re.fullmatch(r"\$\{\w+(:?[-?][^}]*)?\}", value), f"{name}: {key} is written in the file"
    for key, value in env_file(ENV_EXAMPLE).items():
        if SECRET_NAME.search(key) and value:
            assert value not in text, f"the value of {key} appears in the Compose file"
    assert not [line for line in text.splitlines() if "CHANGE_ME" in line.split("#", 1)[0]]


def test_compose_services_start_in_order_and_report_their_health():
    services = compose_services()
    for name, service in services.items():
        assert "healthcheck" in service, f"{name} has no healthcheck"
        for dependency, condition in (service.get("depends_on") or {}).items():
            assert dependency in services
            assert condition["condition"] in {"service_healthy", "service_completed_successfully"}, name
    for name, service in services.items():
        if process_kind(command_text(service.get("command"))) == "rasa":
            assert {"postgres", "redis"} <= set(service["depends_on"]), name
            assert name in services["lb"]["depends_on"], f"the load balancer does not wait for {name}"


def test_the_load_balancer_sends_to_every_rasa_server_and_keeps_socketio_sticky():
    config = NGINX_CONF.read_text(encoding="utf-8")
    upstreams = dict(re.findall(r"upstream (\w+) \{(.*?)\}", config, re.S))
    rasa_servers = {name for name, service in compose_services().items()
                    if process_kind(command_text(service.get("command"))) == "rasa"}
    for upstream in ("rasa_servers", "rasa_socketio"):
        assert set(re.findall(r"server ([\w-]+):5005", upstreams[upstream])) == rasa_servers, upstream
    assert "ip_hash" in upstreams["rasa_socketio"]
    socketio = re.search(r"location /socket\.io/ \{(.*?)\}", config, re.S).group(1)
    assert "proxy_pass http://rasa_socketio;" in socketio and "Upgrade $http_upgrade" in socketio
    volume = next(v for v in compose_services()["lb"]["volumes"] if "nginx" in v)
    assert volume.split(":")[0] == "./nginx/intake.conf"


# --- the env file ---------------------------------------------------------------------------------------

def test_the_env_example_holds_placeholders_only():
    for key, value in env_file(ENV_EXAMPLE).items():
        if SECRET_NAME.search(key):
            assert value == "" or "CHANGE_ME" in value, f"{key} has a value that looks real: {value!r}"
    assert (DEPLOY / ".gitignore").read_text(encoding="utf-8").split().count(ENV_FILE_NAME) == 1


def test_the_redis_key_prefix_is_one_rasa_accepts():
    """Rasa's Redis lock store ignores a prefix that is not letters and digits (and shares keys)."""
    assert env_file(ENV_EXAMPLE)["REDIS_KEY_PREFIX"].isalnum()


def test_every_variable_the_code_reads_is_documented():
    """Every INTAKE_/TWILIO_/RASA_ name in the processes' code (os.environ, CREDENTIAL_ENV, keys)."""
    documented = set(env_file(ENV_EXAMPLE))
    read = {}
    for package in ("intake", "actions", "rasa_addons"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                        and re.fullmatch(r"(INTAKE|TWILIO|RASA)_[A-Z0-9_]*[A-Z0-9]", node.value)):
                    read.setdefault(node.value, path.relative_to(ROOT))
    assert {"INTAKE_DATABASE_URL", "RASA_TOKEN", "TWILIO_AUTH_TOKEN"} <= set(read)
    missing = {name: str(path) for name, path in read.items() if name not in documented}
    assert not missing, f"read by the code but not in {ENV_EXAMPLE.name}: {missing}"


# --- Helm ------------------------------------------------------------------------------------------------

def test_helm_values_use_only_the_charts_keys():
    rasa = load_yaml(RASA_VALUES)
    assert not set(rasa) - RASA_CHART_KEYS, sorted(set(rasa) - RASA_CHART_KEYS)
    assert not set(rasa["applicationSettings"]) - RASA_APPLICATION_SETTINGS
    actions = load_yaml(ACTION_VALUES)
    assert not set(actions) - ACTION_CHART_KEYS, sorted(set(actions) - ACTION_CHART_KEYS)
    # The action-server chart's schema allows no image.repository: registry + image.name instead.
    assert "repository" not in actions["image"] and actions["registry"] and actions["image"]["name"]


def test_the_rasa_chart_runs_only_the_rasa_container_from_the_image():
    values = load_yaml(RASA_VALUES)
    settings = values["applicationSettings"]
    assert values["nginx"]["enabled"] is False  # no nginx sidecar
    assert settings["initialModel"] == "" and settings["trainInitialModel"] is False  # no init container
    assert not values.get("extraContainers") and not values.get("initContainers")
    assert settings["rasaX"]["enabled"] is False and settings["rasaX"]["useConfigEndpoint"] is False
    assert values["postgresql"]["install"] is False and values["redis"]["install"] is False
    assert settings["token"] == "", "the token is set at install from the Secret, never in the file"


def test_every_helm_container_has_telemetry_off():
    processes = list(helm_processes())
    assert len(processes) >= 3
    for name, _, entries in processes:
        assert env_value(entries, "RASA_TELEMETRY_ENABLED") == "false", name
        names = [key for key, _ in entries]
        assert len(names) == len(set(names)), f"{name}: a variable is defined twice"


def test_the_helm_rasa_server_passes_the_token_with_equals_and_allows_workers_only_with_redis():
    servers = [(name, command, entries) for name, command, entries in helm_processes() if is_rasa_server(command)]
    assert [name for name, _, _ in servers] == ["rasa chart"]
    for name, command, entries in servers:
        assert signs_api_calls_with_secret_from_env(command), command
        assert endpoints_file(command) == PRODUCTION_ENDPOINTS
        workers = int(env_value(entries, "SANIC_WORKERS") or "1")
        if workers > 1:
            assert lock_store_allows_workers(endpoints_file(command)), name


def test_every_helm_process_gets_what_it_reads_from_the_secret():
    documented = set(env_file(ENV_EXAMPLE))
    for name, command, entries in helm_processes():
        kind = process_kind(command)
        provided = env_names(entries)
        if kind == "rasa":
            variables = endpoint_variables(endpoints_file(command))
            assert not variables - provided, f"{name} lacks {sorted(variables - provided)}"
        if kind:
            assert not NEEDS[kind] - provided, f"{name} lacks {sorted(NEEDS[kind] - provided)}"
        for key, entry in entries:
            reference = (entry.get("valueFrom") or {}).get("secretKeyRef")
            if SECRET_NAME.search(key) and key not in {"RASA_TOKEN", "JWT_SECRET"} or kind == "webapp" and key == "RASA_TOKEN":
                assert reference, f"{name}: {key} must come from a Secret"
            if reference and reference.get("name") == K8S_SECRET:
                assert reference["key"] in documented, f"{name}: {reference['key']} is not in the env example"
        assert not [key for key in provided if key in COMPOSE_ONLY], name


def test_autoscalers_and_disruption_budgets_name_the_charts_deployments():
    documents = [d for d in yaml.safe_load_all((HELM / "cluster-extras.yaml").read_text(encoding="utf-8")) if d]
    targets = {d["spec"]["scaleTargetRef"]["name"] for d in documents if d["kind"] == "HorizontalPodAutoscaler"}
    assert targets == {"intake-rasa", "intake-actions-rasa-action-server"}
    assert all(d["apiVersion"] == "autoscaling/v2" for d in documents if d["kind"] == "HorizontalPodAutoscaler")
    budgets = {d["metadata"]["name"] for d in documents if d["kind"] == "PodDisruptionBudget"}
    assert budgets == {"intake-rasa", "intake-actions"}
    action_url = env_value(list(helm_processes())[0][2], "ACTION_SERVER_URL")
    assert action_url.startswith("http://intake-actions-rasa-action-server:5055/")
    assert load_yaml(ACTION_VALUES)["service"]["port"] == 5055


def test_kubernetes_publishes_only_the_webhooks_and_socketio_of_the_rasa_servers():
    assert load_yaml(HELM / "rasa-values.yaml")["ingress"]["enabled"] is False  # it could only publish "/"
    documents = [d for d in yaml.safe_load_all((HELM / "cluster-extras.yaml").read_text(encoding="utf-8")) if d]
    [ingress] = [d for d in documents if d["kind"] == "Ingress"]
    paths = [(p["path"], p["pathType"], p["backend"]["service"]["name"])
             for rule in ingress["spec"]["rules"] for p in rule["http"]["paths"]]
    assert sorted(paths) == [("/socket.io/", "Prefix", "intake-rasa"), ("/webhooks/", "Prefix", "intake-rasa")]
    webapp_rasa = [e["value"] for _, container in manifest_containers() for e in container.get("env") or []
                   if e["name"] == "INTAKE_RASA_URL"]
    assert webapp_rasa == ["http://intake-rasa:5005"]  # the Service, inside the cluster


# --- the image --------------------------------------------------------------------------------------------

def dockerfile_instructions() -> List[Tuple[str, str]]:
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in lines]


def test_the_image_is_built_from_python_310_slim_and_runs_as_a_user():
    instructions = dockerfile_instructions()
    stages = [argument for kind, argument in instructions if kind == "FROM"]
    assert stages[-1].split()[0] == "python:3.10-slim"
    final = instructions[max(i for i, (kind, _) in enumerate(instructions) if kind == "FROM"):]
    users = [argument for kind, argument in final if kind == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    env = " ".join(argument for kind, argument in final if kind == "ENV")
    assert "RASA_TELEMETRY_ENABLED=false" in env


def test_the_image_copies_the_trained_model_and_downloads_nothing_at_run_time():
    instructions = dockerfile_instructions()
    runs = " ".join(argument for kind, argument in instructions if kind == "RUN")
    assert "rasa train" not in runs
    assert "python -m intake.nlp build/spacy/en_intake" in runs  # scripts/setup.sh step 3
    assert "--require-hashes -r requirements-models.txt" in runs  # scripts/setup.sh step 3b
    copies = [argument.split() for kind, argument in instructions if kind == "COPY"]
    assert ["models/intake.tar.gz", "models/intake.tar.gz"] in copies
    # Every file copied from the build context is let through by the Dockerfile's .dockerignore.
    allowed = [line[1:].rstrip("/") for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
               if line.startswith("!")]
    for parts in copies:
        if parts[0].startswith("--from="):
            continue
        for source in parts[:-1]:
            assert source.rstrip("/") in allowed, f"{source} is excluded from the build context"
            assert (ROOT / source).exists() or source.startswith("models/"), source


def test_the_image_runs_every_process_with_the_thread_settings_of_config():
    """config/server-threads.env (read by make run and the test stacks) and the image's ENV agree."""
    from intake.settings import server_process_settings

    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    runtime = dockerfile[dockerfile.rindex("FROM "):]
    declared = dict(re.findall(r"\b([A-Z_]+_THREADS|INTAKE_TURNS_AT_ONCE)=(\S+)", runtime))
    assert server_process_settings() == declared
