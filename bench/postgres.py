"""A scratch PostgreSQL database for a benchmark run, on any machine.

``TANDEM_BENCH_POSTGRES`` (an admin URL such as ``postgresql://postgres@127.0.0.1:5432/postgres``)
names a server to use; without it a throwaway cluster is started the way the tests start one
(``initdb``/``pg_ctl`` on PATH or in ``/usr/lib/postgresql/*/bin``; as the ``postgres`` user when
run as root) and removed afterwards. Either way the database is created for the run and dropped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from tests.support.databases import PostgresAdmin, PostgresCluster


@contextmanager
def scratch_database(kind: str) -> Iterator[str]:
    """Yield the URL of a new, empty database named after ``kind``; drop it (and any cluster) after."""
    cluster = None
    admin_url = os.environ.get("TANDEM_BENCH_POSTGRES")
    if not admin_url:
        cluster = PostgresCluster().start()
        admin_url = cluster.admin_url
    admin = PostgresAdmin(admin_url)
    name = f"tandem_bench_{kind}_{uuid.uuid4().hex[:8]}"
    try:
        yield admin.create(name)
    finally:
        admin.drop(name)
        if cluster is not None:
            cluster.stop()
