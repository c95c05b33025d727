import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DJANGO_SERVICES = ("web", "worker", "beat", "migrate")

needs_docker_compose = pytest.mark.skipif(
    shutil.which("docker-compose") is None,
    reason="docker-compose is not installed (.ci/run installs it to validate the file)",
)


def compose_config(tmp_path, *options, environment=None):
    """What ``docker-compose config`` makes of a copy of the file beside a .env made from
    .env.example, never touching the project's .env."""
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    shutil.copytree(ROOT / "deploy", tmp_path / "deploy", dirs_exist_ok=True)
    result = subprocess.run(
        ["docker-compose", "-f", str(tmp_path / "docker-compose.yml"), "config", *options],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={**os.environ, **(environment or {})},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


def replicas(config):
    services = yaml.safe_load(config)["services"]
    return {name: services[name]["deploy"]["replicas"] for name in ("web", "worker", "beat")}


def the_file():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


@needs_docker_compose
def test_docker_compose_file_is_valid(tmp_path):
    assert compose_config(tmp_path, "-q") == ""


@needs_docker_compose
def test_compose_runs_several_web_and_worker_copies_and_exactly_one_beat(tmp_path):
    assert replicas(compose_config(tmp_path)) == {"web": 2, "worker": 2, "beat": 1}
    scaled = compose_config(tmp_path, environment={"WEB_REPLICAS": "3", "WORKER_REPLICAS": "4"})
    assert replicas(scaled) == {"web": 3, "worker": 4, "beat": 1}


def test_compose_has_the_production_services():
    services = the_file()
    assert {"web", "worker", "beat", "migrate", "db", "redis", "mailpit", "proxy"} <= set(services)
    assert services["db"]["image"] == "postgres:16"
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])


def test_web_copies_publish_no_port_and_the_proxy_spreads_port_8000_over_them():
    services = the_file()
    for name in ("web", "worker", "beat"):
        assert "container_name" not in services[name], name  # a fixed name forbids copies
    assert "ports" not in services["web"]  # two copies would clash on the host port
    assert services["proxy"]["ports"] == ["8000:8000"]
    (mount,) = services["proxy"]["volumes"]
    config = (ROOT / mount.split(":")[0]).read_text()
    assert "server web:8000 resolve;" in config  # copies started later are found
    assert "proxy_pass http://web;" in config
    assert "resolver 127.0.0.11 valid=10s" in config


def test_every_django_service_reads_the_same_configuration():
    """Database, Redis, the bucket, SECRET_KEY and SITE_URL: one .env for every copy."""
    services = the_file()
    assert {services[name]["env_file"] for name in DJANGO_SERVICES} == {".env"}
