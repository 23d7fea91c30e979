"""Rasa adapters that are not actions: NLU components and input channels."""
