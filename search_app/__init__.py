"""Flask app: JSON API and web pages over a loaded index."""
