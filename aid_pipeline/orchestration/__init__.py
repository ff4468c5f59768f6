"""The Dagster layer, the only package that imports Dagster: assets, asset checks, sensors and schedule, jobs, resources, the Definitions and the compute log manager."""
