"""The city profiles shipped with the app, one folder each (``profile.toml`` and optional ``helpers.py``)."""
