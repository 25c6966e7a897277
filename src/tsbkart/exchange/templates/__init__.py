"""Data files of the exchange: the tabular column specs (columns.yaml)."""
