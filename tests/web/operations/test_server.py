"""How uvicorn runs the app: Nagle's algorithm off on every connection, also on a socket bound as uvicorn binds
it for ``--workers`` (protocol number 0, which asyncio's own TCP_NODELAY does not cover)."""

from __future__ import annotations

import asyncio
import socket
from concurrent.futures import ThreadPoolExecutor

import pytest
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from tsbkart.settings import Settings
from tsbkart.web.operations.server import NoDelayH11Protocol, server_options


async def _app(scope: dict[str, object], receive: object, send: object) -> None:  # never called
    raise AssertionError


async def _nodelay_of_accepted(protocol: type[H11Protocol]) -> int:
    """TCP_NODELAY of the server side of one connection accepted on a socket bound as uvicorn binds it."""
    listener = socket.socket(family=socket.AF_INET)  # uvicorn's Config.bind_socket: no protocol number
    listener.bind(("127.0.0.1", 0))
    config = uvicorn.Config(_app, log_config=None)
    config.load()
    state = ServerState()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: protocol(config, state, {}), sock=listener)
    try:
        _, writer = await asyncio.open_connection(*listener.getsockname())
        while not state.connections:
            await asyncio.sleep(0.01)
        (connection,) = state.connections
        value = connection.transport.get_extra_info("socket").getsockopt(
            socket.IPPROTO_TCP, socket.TCP_NODELAY
        )
        writer.close()
        return int(value)
    finally:
        server.close()


@pytest.mark.parametrize(("protocol", "expected"), [(H11Protocol, 0), (NoDelayH11Protocol, 1)])
def test_nagle_is_off_on_connections_of_a_socket_bound_as_for_workers(
    protocol: type[H11Protocol], expected: int
) -> None:
    # uvicorn's own protocol shows the fault (0: Nagle on, ~40 ms waits on two-part answers); ours turns it off.
    # A thread of its own: the browser tests' Playwright keeps an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(lambda: asyncio.run(_nodelay_of_accepted(protocol))).result() == expected


def test_the_server_runs_the_nodelay_protocol() -> None:
    assert server_options(Settings())["http"] is NoDelayH11Protocol
