"""The clinic's web app on port 8080: the demo clinic page with the chat widget (static/)."""
