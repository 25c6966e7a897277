"""View builders: one function per page builds its data as plain values (no web imports)."""
