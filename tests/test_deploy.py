"""Distributed engines: the pipeline on a Dask LocalCluster gives the in-process tables; k8s definitions load."""

from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

pytest.importorskip("dagster_dask", reason="the deploy extra is not installed (pip install -e '.[deploy]')")

ROOT = Path(__file__).resolve().parent.parent


def _tables(warehouse: Path) -> dict[str, pd.DataFrame]:
    return {p.stem: pd.read_parquet(p) for p in sorted(warehouse.glob("*.parquet"))}


def test_dask_local_cluster_run_matches_in_process_run(pipeline_run, tmp_path):
    from distributed import Client, LocalCluster

    from aid_pipeline.deploy.dask_engine import run_pipeline_on_dask

    warehouse = tmp_path / "warehouse"
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    instance = dg.DagsterInstance.local_temp(str(home))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            assert len(client.scheduler_info()["workers"]) == 2
            result = run_pipeline_on_dask(str(pipeline_run["inbox"]), str(warehouse), instance, address=cluster.scheduler_address)
            ran_on = {
                ev.step_key for ev in result.all_events if ev.event_type_value == "STEP_SUCCESS"
            }
    assert result.success
    assert "report_stages" in ran_on  # the four stages: one step, one Dask task

    expected = _tables(pipeline_run["warehouse"])
    got = _tables(warehouse)
    assert set(got) == set(expected)
    for name in ("reports", "texts", "sections", "metrics", "quarantine"):
        assert name in got, name
    for name, df in expected.items():
        pd.testing.assert_frame_equal(got[name], df, check_like=False, obj=name)
    assert len(got["reports"]) == 5 and len(got["quarantine"]) == 3


def test_k8s_definitions_load_with_the_k8s_executor(monkeypatch):
    pytest.importorskip("dagster_k8s", reason="the deploy extra is not installed (pip install -e '.[deploy]')")
    monkeypatch.setenv("AID_WAREHOUSE", "s3://aid-bucket/warehouse")  # the warehouse in an object store
    monkeypatch.setenv("AID_INBOX", "/data/inbox")
    from aid_pipeline.deploy import k8s

    defs = k8s.k8s_defs()
    dg.Definitions.validate_loadable(defs)
    job = defs.resolve_job_def("process_reports")
    assert job.executor_def.name == "k8s_steps"
    assert defs.resolve_job_def("rebuild_tables").executor_def.name == "k8s_steps"
    assert defs.resolve_sensor_def("inbox_sensor") is not None
    assert k8s.is_object_store("s3://aid-bucket/warehouse") and not k8s.is_object_store("/data/warehouse")
    # a run config with executor config of the k8s executor is valid for the job
    dg.validate_run_config(job, {"execution": {"config": {"job_namespace": "aid-pipeline", "max_concurrent": 2}}})


def test_k8s_instance_yaml_validates_postgres_storage_and_run_launcher(monkeypatch):
    pytest.importorskip("dagster_k8s")
    pytest.importorskip("dagster_postgres")
    from dagster._config import process_config
    from dagster._core.instance.config import dagster_instance_config
    from dagster_k8s import K8sRunLauncher
    from dagster_postgres import DagsterPostgresStorage

    for var in ("DAGSTER_PG_HOST", "DAGSTER_PG_USER", "DAGSTER_PG_PASSWORD", "DAGSTER_PG_DB"):
        monkeypatch.setenv(var, "x")
    config, _ = dagster_instance_config(str(ROOT / "deploy" / "k8s"))
    assert "postgres" in config["storage"]
    storage = process_config(DagsterPostgresStorage.config_type(), config["storage"]["postgres"])
    assert storage.success, storage.errors
    launcher = config["run_launcher"]
    assert (launcher["module"], launcher["class"]) == ("dagster_k8s", "K8sRunLauncher")
    checked = process_config(K8sRunLauncher.config_type(), launcher["config"])
    assert checked.success, checked.errors


def test_helm_values_point_at_the_k8s_code_location():
    yaml = pytest.importorskip("yaml")
    values = yaml.safe_load((ROOT / "deploy" / "k8s" / "values.yaml").read_text())
    dep = values["dagster-user-deployments"]["deployments"][0]
    assert dep["dagsterApiGrpcArgs"][:2] == ["-m", "aid_pipeline.deploy.k8s"]
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
