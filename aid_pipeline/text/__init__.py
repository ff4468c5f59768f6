"""Pure text functions: decode, normalise, metadata, segment, numbers, metrics (no Dagster import)."""
