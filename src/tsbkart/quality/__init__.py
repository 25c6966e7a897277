"""Data quality: the ``tsbkart check`` report (missing fields, stale facts, approximate locations, ...)."""
