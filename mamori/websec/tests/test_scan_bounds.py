"""The bounds on one endpoint (loopback only): a server that never answers a ClientHello is
given up after the network timeout, one that answers and then stalls after the per-endpoint
bound, and the other endpoints of the batch are scanned all the same. And the scheduled scans
are split into tasks that several workers share."""

from __future__ import annotations

import contextlib
import socket
import time

import pytest

from mamori.websec.scan import Target, scan_targets
from mamori.websec.tasks import task_batches
from mamori.websec.tests.tls_servers import (
    LOOPBACK,
    PKI,
    LoopbackListener,
    SilentServer,
    TLSServer,
)


class StallingServer(LoopbackListener):
    """Accepts TCP on 127.0.0.1, answers each connection with one byte of a TLS record header,
    then never says anything more: the quick "does it answer" probe passes, sslyze stalls."""

    def accepted(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError):
            conn.sendall(b"\x16")
        self.hold(conn)


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> PKI:
    return PKI(tmp_path_factory.mktemp("pki"))


def test_a_silent_server_is_given_up_after_the_network_timeout(pki):
    with SilentServer() as silent, TLSServer(pki.leaf("good")) as good:
        started = time.monotonic()
        quiet, answered = scan_targets(
            [Target(LOOPBACK, silent.port, server_name="localhost"),
             Target(LOOPBACK, good.port, server_name="localhost")],
            timeout=60, network_timeout=2, extra_ca_pem=pki.ca_pem)  # fmt: skip
        elapsed = time.monotonic() - started
    assert quiet["error"] == "timeout" and "ClientHello" in quiet["error_detail"]
    assert quiet["duration_seconds"] < 5
    assert answered["error"] is None and answered["protocols"]["tls1.3"]
    assert elapsed < 15, elapsed  # not the ~11 network timeouts of sslyze's probing


def test_a_stalling_server_is_given_up_after_the_endpoint_bound(pki):
    with StallingServer() as stalling, TLSServer(pki.leaf("good")) as good:
        started = time.monotonic()
        stalled, answered = scan_targets(
            [Target(LOOPBACK, stalling.port, server_name="localhost"),
             Target(LOOPBACK, good.port, server_name="localhost")],
            timeout=60, network_timeout=5, endpoint_timeout=3, extra_ca_pem=pki.ca_pem,
        )  # fmt: skip
        elapsed = time.monotonic() - started
    assert stalled["error"] == "timeout" and "within 3 s" in stalled["error_detail"]
    assert answered["error"] is None and answered["trusted"]
    # The batch ends soon after the bound: the child does not wait for the stuck thread.
    assert elapsed < 7.5, elapsed


def test_scheduled_scans_are_split_into_tasks_workers_can_share():
    assert task_batches([]) == []
    assert [len(b) for b in task_batches(list(range(10)))] == [10]
    assert [len(b) for b in task_batches(list(range(50)))] == [25, 25]
    assert [len(b) for b in task_batches(list(range(100)))] == [20] * 5
    big = task_batches(list(range(1000)))
    assert len(big) == 25 and {len(b) for b in big} == {40}
    assert sorted(i for b in big for i in b) == list(range(1000))
