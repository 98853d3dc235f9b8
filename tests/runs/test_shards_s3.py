"""Shards on object storage: two shards log to `s3://bucket/prefix` (a local S3-compatible server,
moto's, on 127.0.0.1; never a real AWS host) and collect reads them back, measuring the records
one local process measures. Skipped, saying why, where the server cannot start."""

from __future__ import annotations

import hashlib
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from empathy_bench.pipeline import collect, run
from empathy_bench.runs.execute import RunOptions, run_shard
from empathy_bench.runs.shard import MARKER, Shard

BUCKET = "empathy-bench-test"

pytestmark = [pytest.mark.object_storage, pytest.mark.slow]


def _local_port_free() -> bool:
    try:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
        return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def s3() -> Iterator[str]:
    """A moto S3 server on 127.0.0.1 with one bucket, and the AWS variables pointing at it; the
    endpoint URL, or the module is skipped with the reason."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as err:  # pragma: no cover - moto[server] is a dev dependency
        pytest.skip(f"moto's S3 server is not installed ({err}): uv sync --frozen installs it")
    if not _local_port_free():
        pytest.skip("no local port to start moto's S3 server on")
    patch = pytest.MonkeyPatch()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    try:
        server.start()
        host, port = server.get_host_and_port()
    except Exception as err:  # noqa: BLE001 - any failure to start is a reason to skip, said
        pytest.skip(f"moto's S3 server could not start on 127.0.0.1 ({type(err).__name__}: {err})")
    endpoint = f"http://{host}:{port}"
    # only the local server: every AWS client (botocore, s3fs) reads these
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        patch.delenv(name, raising=False)
    patch.setenv("AWS_ENDPOINT_URL", endpoint)
    patch.setenv("AWS_ENDPOINT_URL_S3", endpoint)
    patch.setenv("AWS_ACCESS_KEY_ID", "testing")
    patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    patch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    import boto3
    from s3fs import S3FileSystem

    S3FileSystem.clear_instance_cache()  # no filesystem object made for another endpoint
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=BUCKET)
    try:
        yield endpoint
    finally:
        S3FileSystem.clear_instance_cache()
        server.stop()
        patch.undo()


def _strip(data: object) -> object:
    if isinstance(data, dict):
        gone = {"git_revision", "command", "log", "wall_seconds", "live_wall_seconds", "started", "seconds"}
        return {k: _strip(v) for k, v in data.items() if k not in gone and not k.startswith("seconds_per")}
    if isinstance(data, list):
        return [_strip(v) for v in data]
    return data


def test_two_shards_on_s3_and_collect_record_what_one_local_process_records(
    s3: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3

    settings = {
        "judges": ["builtin-constant", "builtin-length", "builtin-length-compare"],
        "tasks": ["lend_an_ear", "lend_an_ear_compare"],
        "probes": [],
        "limit": 4,
        "display": "none",
    }
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache-local"))
    alone = run(RunOptions(log_dir=str(tmp_path / "logs"), **settings), n_resamples=10)  # type: ignore[arg-type]

    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache-s3"))
    root = f"s3://{BUCKET}/runs/one"
    for k in (1, 2):
        assert run_shard(RunOptions(log_dir=root, **settings), Shard(k, 2))  # type: ignore[arg-type]
    assert not (tmp_path / "s3:").exists() and not Path("s3:").exists()  # no local folder named after the URL
    sharded = collect(root, n_resamples=10, results_dir=tmp_path / "results" / "runs")

    client = boto3.client("s3", endpoint_url=s3)
    keys = [obj["Key"] for obj in client.list_objects_v2(Bucket=BUCKET, Prefix="runs/one/")["Contents"]]
    for k in (1, 2):
        marker = json.loads(client.get_object(Bucket=BUCKET, Key=f"runs/one/shard-{k}-of-2/{MARKER}")["Body"].read())
        assert marker["finished"] and all(f"runs/one/shard-{k}-of-2/{name}" in keys for name in marker["logs"])
    assert not [key for key in keys if key.count("/") == 2 and key.endswith(".eval")]  # nothing in the root

    assert [_strip(json.loads(r.model_dump_json())) for r in sharded.records] == [
        _strip(json.loads(r.model_dump_json())) for r in alone.records
    ]
    # each judge's record names its log on the bucket, with the digest of the object there
    for rec in sharded.records:
        if rec.log is None:
            continue
        [key] = [key for key in keys if key.endswith("/" + rec.log.name)]
        body = client.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        assert rec.log.sha256 == hashlib.sha256(body).hexdigest()
    assert len({rec.log.name for rec in sharded.records if rec.log}) == 3  # 2 rate runs, 1 compare run
    assert list((tmp_path / "results" / "runs").rglob("*.json"))
