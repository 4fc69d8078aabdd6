"""A TCP relay in front of a test server, whose connections a test can cut at once: a network drop between a
browser and the dashboard (the browser then reconnects through the relay, as it would through a proxy)."""

from __future__ import annotations

import socket
import threading
from contextlib import suppress

from tests.conftest import free_port


class TcpRelay:
    """Relays 127.0.0.1:`port` to 127.0.0.1:`target`; `drop()` cuts every connection open now."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.port = free_port()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target))
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        with suppress(OSError):
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        for end in (source, sink):
            with suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def drop(self) -> int:
        """Cut every connection open now (new ones are relayed as before); how many were cut."""
        with self._lock:
            cut, self._open = self._open, set()
        for end in cut:
            with suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
        return len(cut) // 2

    def close(self) -> None:
        self._closed = True
        self._listener.close()
        self.drop()
