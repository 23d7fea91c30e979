"""The clinic's web app on port 8080 (demo page now; widget and front-desk console later)."""
