"""pandera models (one per table) and the Dagster asset checks built on them."""
