"""Gold-data evaluation of extraction (metrics, metadata)."""
