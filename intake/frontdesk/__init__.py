"""The front-desk console: staff accounts, sign-in sessions and the web pages at /frontdesk/.

It reads the handoff queue (intake.handoff) and the alert deliveries (intake.notifications),
and talks to Rasa only through intake.handoff.rasa_api (Rasa's HTTP API with its token).
"""
