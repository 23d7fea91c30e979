"""Stores the Rasa server loads from its endpoints file (not part of the trained model)."""
