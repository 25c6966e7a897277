"""The atlas product: demand points, accessibility tables, indicators, variation, reports and exports.

Built on the maths in :mod:`tsbkart.analysis` (costs, nearest, fca, variation, coverage). Core only: no web
imports. See docs/atlas.md for the notebook API.
"""
