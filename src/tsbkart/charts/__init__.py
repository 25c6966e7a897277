"""Charts for the whole atlas: Vega-Lite specifications rendered to SVG on the server (no CDN, no script)."""

from tsbkart.charts.vega import render_svg

__all__ = ["render_svg"]
