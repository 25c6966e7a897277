"""Queries over the read model: filtering, free-text search, near-sorting and pagination of registry records.

Core code: it takes a ``RegistrySnapshot`` and plain filter values and returns plain data, never touching the
web layer or the database. The JSON API, GeoJSON, CSV and the map all render what these functions build.
"""
