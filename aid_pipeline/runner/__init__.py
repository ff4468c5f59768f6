"""Running the stages: the stage functions, the one stage list and freshness planner, units of one shard each, and the worker pool that runs them (no Dagster import)."""
