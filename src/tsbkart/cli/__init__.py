"""The ``tsbkart`` command line (Typer). Commands are thin: they parse arguments and call the core."""
