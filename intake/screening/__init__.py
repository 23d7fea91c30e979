"""Screening instruments and the parser of free-text answers."""
