"""Thin Dagster wrappers, one module per stage; the work is in aid_pipeline.stages and aid_pipeline.text."""
