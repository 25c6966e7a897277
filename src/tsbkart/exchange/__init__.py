"""Import and export: CSV/XLSX import with all-or-nothing validation, CSV/XLSX/GeoJSON export, the template."""
