"""Domain package of the ketamine-for-PTSD intake assistant.

Pure Python, testable without Rasa: the spaCy pipeline, the safety detector, the clinic
configuration, the app database and the web app. Rasa adapters live in `actions/` and
`rasa_addons/` and only translate between Rasa and this package.
"""
