"""A real S3-compatible server in this process (moto's standalone server), for the storage
tests and bench/bench_storage.py: the app talks to it over HTTP as to any bucket."""

import contextlib
import logging
import uuid

import boto3
from moto.server import ThreadedMotoServer

from core.storage_settings import default_storage

REGION = "us-east-1"
# moto accepts any credentials; these only make boto3 sign its requests.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "readiness-test", "AWS_SECRET_ACCESS_KEY": "readiness-test"}


@contextlib.contextmanager
def s3_server():
    """Start moto on 127.0.0.1 and a free port; yield its URL; stop it and close its socket."""
    requests_log = logging.getLogger("werkzeug")  # one line per request: not wanted here
    level = requests_log.level
    requests_log.setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()  # shuts the server down and joins its thread
        server._server.server_close()  # and frees the port (stop() leaves the socket open)
        requests_log.setLevel(level)


def s3_client(endpoint_url):
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def new_bucket(endpoint_url):
    """Create an empty bucket of a new name; return its name."""
    name = f"readiness-{uuid.uuid4().hex[:12]}"
    s3_client(endpoint_url).create_bucket(Bucket=name)
    return name


def bucket_storages(storages, endpoint_url, bucket):
    """``storages`` (the STORAGES setting) with "default" on the bucket, configured as a site
    would be: through STORAGE_URL (credentials come from the environment: CREDENTIALS)."""
    environ = {"STORAGE_URL": f"s3://{bucket}?endpoint_url={endpoint_url}&region_name={REGION}"}
    return {**storages, "default": default_storage(environ, presigned_seconds=60)}
