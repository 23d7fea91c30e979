"""Rasa SDK adapters: read slots, call the `intake` domain package, utter. No business rules."""
