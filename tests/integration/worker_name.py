"""Hostname callable for test workers: two Celery workers on one machine need different names in task records."""

import os
import socket


def worker_name() -> str:
    return os.environ.get("DIGEST_TEST_WORKER") or socket.getfqdn()
