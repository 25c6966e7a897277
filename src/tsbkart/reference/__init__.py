"""Bundled open reference data (in ``data/``, each file with a ``.source.md``) and the default-database builder."""
