"""The registry: writes as revisions, history, ``as_of`` and the in-memory read model (snapshot)."""
