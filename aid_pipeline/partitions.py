"""The dynamic partitions: one per report file in the inbox."""

import dagster as dg

REPORTS_PARTITION = "reports"
report_partitions = dg.DynamicPartitionsDefinition(name=REPORTS_PARTITION)
