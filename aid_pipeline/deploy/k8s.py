"""The pipeline on Kubernetes: every step of a run in its own pod (``dagster-k8s``'s ``k8s_job_executor``).

Load it as the code location of a Dagster deployment on Kubernetes::

    dagster api grpc -m aid_pipeline.deploy.k8s -a defs -p 3030      # what deploy/k8s/values.yaml runs

with the instance of ``deploy/k8s/dagster.yaml`` (Postgres run/event/schedule storage,
``K8sRunLauncher``). The executor inherits image, namespace, env and volumes from the run launcher;
``AID_K8S_STEP_CPU`` / ``AID_K8S_STEP_MEMORY`` set each step pod's requests.

Warehouse: ``AID_WAREHOUSE`` must today be a POSIX path that every step pod mounts (a ReadWriteMany
volume: EFS, Filestore, NFS, CephFS), because ``aid_pipeline.io`` writes with local paths and an
atomic rename. ``AID_WAREHOUSE=s3://bucket/prefix`` is accepted by these definitions (they load) but
not yet by the writer; see README "Scaling and deployment" for what that needs.
"""

from __future__ import annotations

import os

import dagster as dg
from dagster_k8s import k8s_job_executor

from . import with_executor

OBJECT_STORE_SCHEMES = ("s3://", "gs://", "az://", "abfs://")


def is_object_store(path: str) -> bool:
    """``is_object_store('s3://b/w') -> True``; ``'/warehouse' -> False``."""
    return path.startswith(OBJECT_STORE_SCHEMES)


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
    from ..definitions import build_defs

    return with_executor(build_defs(), k8s_executor())


defs = k8s_defs()
