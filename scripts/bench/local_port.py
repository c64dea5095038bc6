"""A free TCP port on 127.0.0.1, for the benchmark scripts' servers (they run from this folder,
so `from local_port import free_port` finds it)."""
import socket


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
