"""Unit tests of the foundation: the spaCy pipeline, the clinic settings, the REST payload check."""
from __future__ import annotations

from pathlib import Path


from intake.nlp import PIPELINE_PATH, build_pipeline, load_pipeline
from intake.settings import load_settings


def test_saved_pipeline_is_the_one_built_in_code():
    assert (PIPELINE_PATH / "config.cfg").exists(), "setup builds the pipeline"
    assert load_pipeline().pipe_names == build_pipeline().pipe_names == ["lemmatizer"]


def test_pipeline_tokenises_contractions_and_lemmatises_offline():
    doc = load_pipeline()("i'm not going, don't worry. we were killing time")
    tokens = [t.text for t in doc]
    assert tokens[:4] == ["i", "'m", "not", "going"]
    assert "n't" in tokens
    lemmas = {t.text: t.lemma_ for t in doc}
    assert lemmas["killing"] == "kill"
    assert lemmas["were"] == "be"


def test_clinic_settings_come_from_the_config_file(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("INTAKE_DATABASE_URL", raising=False)
    config = tmp_path / "clinic.yml"
    config.write_text(
        "clinic:\n  name: Test Clinic\n  city: LA\n  address: 1 Main St\n"
        "  front_desk_phone: '+1 213-555-0100'\n  front_desk_email: desk@example.org\n"
        "  time_zone: America/Los_Angeles\n  front_desk_hours:\n"
        "    mon: ['08:00', '16:00']\n    tue: ['08:00', '16:00']\n    wed: ['08:00', '16:00']\n"
        "storage:\n  database_url: sqlite:///var/x.db\n"
    )
    loaded = load_settings(config)
    assert loaded.clinic.name == "Test Clinic"
    assert loaded.clinic.hours_summary() == "Mon-Wed 08:00-16:00 (Los Angeles time)"
    assert loaded.database_url.startswith("sqlite:////") and loaded.database_url.endswith("var/x.db")


def test_database_url_can_be_overridden_by_the_environment(monkeypatch):
    monkeypatch.setenv("INTAKE_DATABASE_URL", "postgresql://localhost/intake")
    assert load_settings().database_url == "postgresql://localhost/intake"
