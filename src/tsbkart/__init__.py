"""tsbkart: the open map of Norwegian specialised substance-use treatment (TSB).

The core (``domain``, ``vocab``, ``db``, ``registry``, ``reference``, ``exchange``, ``quality``, ``finder``,
``analysis``) never imports the web layer (``web``). See docs/architecture.md for the map of folders.
"""

__version__ = "0.1.0"
