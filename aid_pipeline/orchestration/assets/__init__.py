"""Thin Dagster wrappers, one module per stage; the work is in aid_pipeline.runner.stages and aid_pipeline.text."""

import warnings

import dagster as dg

# BackfillPolicy is marked beta in Dagster 1.13; we rely on it knowingly (one run per batch of reports).
warnings.filterwarnings("ignore", message=".*backfill_policy.*", category=dg.BetaWarning)
