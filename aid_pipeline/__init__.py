"""aid_pipeline: counterpart-aid reports to clean, typed, traceable Parquet tables."""
