"""The data contract, what every table promises whoever builds or reads it: vocabularies, Arrow schemas, pandera models, column docs and lineage, and the code version (no Dagster import)."""
