"""The web layer: FastAPI app factory, thin routes, templates and vendored static files.

Depends on the core; the core never imports this package.
"""
