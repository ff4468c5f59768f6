"""The pipeline on Kubernetes: every step of a run in its own pod (``dagster-k8s``'s ``k8s_job_executor``).

Load it as the code location of a Dagster deployment on Kubernetes::

    dagster api grpc -m aid_pipeline.deploy.k8s -a defs -p 3030      # what deploy/k8s/values.yaml runs

with the instance of ``deploy/k8s/dagster.yaml`` (Postgres run/event/schedule storage,
``K8sRunLauncher``). The executor inherits image, namespace, env and volumes from the run launcher;
``AID_K8S_STEP_CPU`` / ``AID_K8S_STEP_MEMORY`` set each step pod's requests.

Warehouse: ``AID_WAREHOUSE`` is either a POSIX path every step pod mounts (a ReadWriteMany volume:
EFS, Filestore, NFS, CephFS; tables written through a temp file and an atomic rename) or an
object-store URI, ``s3://bucket/prefix`` (also ``gs://``, ``abfs://``: whatever ``pyarrow.fs`` opens),
with the usual credentials in the pod's environment (IRSA / workload identity, or ``AWS_*``
variables; ``AWS_ENDPOINT_URL`` for MinIO or another S3-compatible store). There each table is one
object written in one upload, which readers see whole or not at all. ``tests/test_object_store.py``
runs the pipeline against a local S3 server. The inbox is still a mounted folder.
"""

from __future__ import annotations

import os

import dagster as dg
from dagster_k8s import k8s_job_executor

from . import with_executor

from ..warehouse.io import is_object_store  # noqa: F401  (where the warehouse lives: a mounted path or a URI)


def step_k8s_config() -> dict:
    """Per-step pod resources from ``$AID_K8S_STEP_CPU`` (default 2) and ``$AID_K8S_STEP_MEMORY`` (default 4Gi)."""
    cpu = os.environ.get("AID_K8S_STEP_CPU", "2")
    memory = os.environ.get("AID_K8S_STEP_MEMORY", "4Gi")
    return {"container_config": {"resources": {"requests": {"cpu": cpu, "memory": memory}, "limits": {"memory": memory}}}}


def k8s_executor() -> dg.ExecutorDefinition:
    return k8s_job_executor.configured(
        {"max_concurrent": 4, "step_k8s_config": step_k8s_config()}, name="k8s_steps"
    )


def k8s_defs() -> dg.Definitions:
    """``build_defs`` (settings from ``$AID_INBOX`` / ``$AID_WAREHOUSE``) with every job on ``k8s_job_executor``."""
    from ..orchestration.definitions import build_defs

    return with_executor(build_defs(), k8s_executor())


defs = k8s_defs()
