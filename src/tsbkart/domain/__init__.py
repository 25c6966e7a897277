"""Domain value objects and rules. Pure Python: no I/O, no database, no web."""
