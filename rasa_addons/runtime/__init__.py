"""Changes to how the Rasa server runs custom actions (not part of the trained model)."""
