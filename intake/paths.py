"""Where the project lives on disk. Kept apart from intake.nlp so that reading a path does not
import spaCy (a command such as the staff tool then starts in a fraction of a second)."""
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
