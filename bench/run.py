"""End-to-end benchmark of the intake assistant against a fresh `rasa init` assistant.

Run: `make bench` (or `.venv/bin/python -m bench.run [--skip-training]`). In one run it:
1. creates the `rasa init` assistant in build/bench/rasa_init and times `rasa train --force`
   for it and for ours (skipped with --skip-training: models/intake.tar.gz is used instead);
2. starts each assistant's Rasa server, both with a SQLite tracker store in a temporary folder
   (ours with its action server and app database; theirs with Rasa's stock SQL store),
   timing start-up until a first REST reply;
3. runs scripted conversations over REST: one at a time, then many at once, measuring latency
   per message, throughput and the Rasa server's peak memory (many at once: for a time window,
   each person starting a new conversation when one ends, so that many are in flight throughout);
4. runs ours as deployed (config/endpoints.production.yml: the tracker store and app database on
   PostgreSQL, the lock store on Redis), with 1 then 2 Sanic workers;
5. prints the table and the targets and writes the same figures to build/bench/results.json.
Every process, temporary folder, database and lock key it creates is removed, also on Ctrl-C.
"""
from __future__ import annotations

import argparse
import shutil
import signal
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

from bench import report
from bench.conversations import INTAKE, MOODBOT, Conversation
from bench.load import check_conversation, run_load
from bench.servers import BenchStack, start_bench_stack
from bench.training import create_rasa_init_project, train, trained_model
from tests.support.production import production_stores
from tests.support.stack import MODEL_PATH, PROJECT_ROOT

BENCH_DIR = PROJECT_ROOT / "build" / "bench"
RASA_INIT_DIR = BENCH_DIR / "rasa_init"
LOG_DIR = BENCH_DIR / "logs"
RESULTS_PATH = BENCH_DIR / "results.json"


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-training", action="store_true",
                        help="reuse models/intake.tar.gz and the existing rasa init model; training is not measured")
    parser.add_argument("--clients", type=int, default=20, help="conversations at once in the concurrent runs")
    parser.add_argument("--window", type=float, default=30.0,
                        help="seconds each concurrent run lasts, every client starting a new conversation when one ends")
    parser.add_argument("--sequential-conversations", type=int, default=5,
                        help="conversations in a row in the one-at-a-time run")
    return parser.parse_args(argv)


@contextmanager
def running(stack: BenchStack, label: str) -> Iterator[BenchStack]:
    """Stop the stack's process groups when the measurement is done (or fails), keeping its logs."""
    try:
        yield stack
    finally:
        stack.stop_all()
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        for log in stack.workdir.glob("*.log"):
            shutil.copyfile(log, LOG_DIR / f"{label}-{log.name}")


def prepare_models(args: argparse.Namespace, warnings: List[str]) -> Dict[str, Any]:
    """Model paths and training seconds (None when not measured) for both assistants."""
    their_models = RASA_INIT_DIR / "models"
    if args.skip_training:
        their_model = trained_model(their_models)
        if their_model is None:
            warnings.append("no rasa init model was found: it was created and trained (not measured)")
            create_rasa_init_project(RASA_INIT_DIR)
            train(RASA_INIT_DIR, their_models, LOG_DIR / "train-rasa-init.log")
            their_model = trained_model(their_models)
        return {"intake": (MODEL_PATH, None), "rasa_init": (their_model, None)}
    print("training the rasa init assistant ...", flush=True)
    create_rasa_init_project(RASA_INIT_DIR)
    their_seconds = train(RASA_INIT_DIR, their_models, LOG_DIR / "train-rasa-init.log")
    print(f"  {their_seconds:.0f} s\ntraining the intake assistant (several minutes) ...", flush=True)
    our_models = BENCH_DIR / "models"
    our_seconds = train(PROJECT_ROOT, our_models, LOG_DIR / "train-intake.log")
    print(f"  {our_seconds:.0f} s", flush=True)
    return {"intake": (trained_model(our_models), our_seconds), "rasa_init": (trained_model(their_models), their_seconds)}


def measure(stack: BenchStack, conversation: Conversation, args: argparse.Namespace, prefix: str,
            warnings: List[str]) -> Dict[str, Any]:
    """Warm-up (checking the replies), one conversation at a time, then many at once."""
    mismatches = check_conversation(stack.rasa_url, conversation, prefix)
    warnings.extend(f"{prefix}: reply not as scripted: {m}" for m in mismatches)
    one = run_load(stack.rasa_url, conversation, 1, prefix, conversations_per_client=args.sequential_conversations)
    many = run_load(stack.rasa_url, conversation, args.clients, prefix, window_s=args.window)
    for load in (one, many):
        if load.errors:
            warnings.append(f"{prefix}: {load.errors} failed messages with {load.clients} conversations at once")
    return {"startup_s": round(stack.startup_s, 1), "rss": stack.rasa_peak_rss_mb(),
            "one_at_a_time": one.summary(), "concurrent": many.summary(),
            "median_ms_by_turn_one_at_a_time": one.median_by_turn(conversation),
            "script_mismatches": mismatches}


def measure_workers(workers: int, model: Path, tmp: Path, args: argparse.Namespace,
                    warnings: List[str]) -> Dict[str, Any]:
    """Ours with PostgreSQL + Redis and `workers` Sanic workers, at `args.clients` conversations."""
    prefix = f"bench-workers{workers}"
    with production_stores() as stores:
        stack = start_bench_stack(tmp / prefix, model, with_actions=True, production_env=stores,
                                  extra_env={"SANIC_WORKERS": str(workers)})
        with running(stack, prefix):
            print(f"  {workers} worker(s): up in {stack.startup_s:.1f} s", flush=True)
            mismatches = check_conversation(stack.rasa_url, INTAKE, prefix)
            warnings.extend(f"{prefix}: reply not as scripted: {m}" for m in mismatches)
            # Every worker warms up its own copy of the model (TensorFlow traces its functions on the
            # first prediction, a second or more of CPU). Each client's connection goes to one
            # worker, as the kernel hands it out: with 8 per worker, a worker left cold is a
            # chance of 2 in 65,536 (with 2 per worker it was 1 in 8).
            run_load(stack.rasa_url, INTAKE, 8 * workers, f"{prefix}-warmup", conversations_per_client=1)
            load = run_load(stack.rasa_url, INTAKE, args.clients, prefix, window_s=args.window)
            if load.errors:
                warnings.append(f"{prefix}: {load.errors} failed messages")
            return {"startup_s": round(stack.startup_s, 1), "rss": stack.rasa_peak_rss_mb(), "load": load.summary()}


def run_benchmark(args: argparse.Namespace, cleanup: ExitStack) -> Dict[str, Any]:
    started = time.monotonic()
    results: Dict[str, Any] = {"machine": report.machine(), "warnings": [],
                               "settings": {"clients": args.clients,
                                            "window_s": args.window,
                                            "sequential_conversations": args.sequential_conversations,
                                            "messages_per_conversation": len(INTAKE.turns),
                                            "skip_training": args.skip_training}}
    warnings: List[str] = results["warnings"]
    tmp = Path(tempfile.mkdtemp(prefix="intake-bench-"))
    cleanup.callback(shutil.rmtree, tmp, ignore_errors=True)
    models = prepare_models(args, warnings)

    print("intake assistant: start-up and load ...", flush=True)
    our_model, our_training = models["intake"]
    with running(start_bench_stack(tmp / "intake", our_model, with_actions=True), "intake") as stack:
        results["intake"] = {"model": str(our_model), "training_s": _rounded(our_training),
                             **measure(stack, INTAKE, args, "bench-intake", warnings)}

    print("rasa init assistant: start-up and load ...", flush=True)
    their_model, their_training = models["rasa_init"]
    with running(start_bench_stack(tmp / "rasa_init", their_model, with_actions=False,
                                   credentials=RASA_INIT_DIR / "credentials.yml",
                                   endpoints=sqlite_endpoints(tmp / "rasa_init")), "rasa-init") as stack:
        results["rasa_init"] = {"model": str(their_model), "training_s": _rounded(their_training),
                                **measure(stack, MOODBOT, args, "bench-moodbot", warnings)}

    print("intake assistant with PostgreSQL + Redis, 1 then 2 Sanic workers ...", flush=True)
    runs = {str(n): measure_workers(n, our_model, tmp, args, warnings) for n in (1, 2)}
    one, two = runs["1"]["load"], runs["2"]["load"]
    results["workers"] = {"clients": args.clients, "runs": runs,
                          "throughput_ratio": report.ratio(two["throughput_msg_s"], one["throughput_msg_s"]),
                          "p95_ratio": report.ratio(two["p95_ms"], one["p95_ms"])}
    results["targets"] = report.evaluate_targets(results)
    results["wall_s"] = round(time.monotonic() - started, 1)
    return results


def sqlite_endpoints(workdir: Path) -> Path:
    """The `rasa init` assistant with Rasa's own SQL tracker store on SQLite, as ours runs in the
    single-machine measurements: its generated endpoints.yml keeps conversations in memory, which
    no deployment that must survive a restart can do, and would compare two different stores."""
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "endpoints.yml"
    path.write_text(f'tracker_store:\n  type: SQL\n  dialect: "sqlite"\n  db: "{workdir / "tracker.db"}"\n')
    return path


def _rounded(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(value, 1)


def _exit_on_sigterm(signum: int, frame: Any) -> None:
    """SIGTERM unwinds like Ctrl-C, so every cleanup below still runs."""
    raise SystemExit(128 + signum)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        with ExitStack() as cleanup:
            results = run_benchmark(args, cleanup)
    except KeyboardInterrupt:
        print("\ninterrupted: every server, temporary folder, database and lock key it started is removed",
              file=sys.stderr)
        return 130
    print()
    print(report.format_report(results))
    report.write_json(results, RESULTS_PATH)
    print(f"\nfigures written to {RESULTS_PATH.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
