"""Privacy of what people tell the assistant: how long it is kept, and how it is stored.

- `intake.privacy.purge` (with `retention` and `tracker_db`, `tracker_events`): the retention
  purge, run daily, deleting what is older than `privacy.retention_days` of config/clinic.yml.
- `intake.privacy.masking`: phone numbers and email addresses sealed (encrypted) inside every
  event Rasa's tracker store writes (rasa_addons/stores/private_tracker_store.py uses it).

Nothing is imported here, so that one part of the package (e.g. the purge command, run by cron)
does not load the others.
"""
