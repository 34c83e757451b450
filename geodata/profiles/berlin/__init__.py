"""Berlin, the reference city profile: ``profile.toml`` and the readers of its files (``helpers.py``)."""
