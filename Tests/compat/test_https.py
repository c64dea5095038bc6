"""aw-server behind a TLS reverse proxy: the `aw` command line (and every watcher built on the same
client) speaks HTTPS to it, trusting a private certificate authority named in aw-client.toml,
and says plainly why when it cannot."""
import select
import socket
import ssl
import subprocess
import threading

import pytest

from conftest import free_port
from test_cli import AW_BINARY


def make_certificates(folder):
    """A certificate authority and a certificate for "localhost" that it signed."""
    folder.mkdir(parents=True, exist_ok=True)

    def openssl(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=aw test CA",
            "-keyout", str(folder / "ca.key"), "-out", str(folder / "ca.pem"))
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", str(folder / "server.key"),
            "-out", str(folder / "server.csr"))
    (folder / "san.ext").write_text("subjectAltName=DNS:localhost\n")
    openssl("x509", "-req", "-in", str(folder / "server.csr"), "-CA", str(folder / "ca.pem"), "-CAkey",
            str(folder / "ca.key"), "-CAcreateserial", "-days", "2", "-extfile", str(folder / "san.ext"),
            "-out", str(folder / "server.pem"))
    return folder / "ca.pem", folder / "server.pem", folder / "server.key"


class TLSProxy:
    """Takes TLS connections on a loopback port and relays the decrypted bytes to a plain-HTTP
    backend, as nginx or Caddy in front of aw-server would."""

    def __init__(self, certificate, key, backend_port):
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(certificate, key)
        self.backend_port = backend_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(connection,), daemon=True).start()

    def _relay(self, connection):
        try:
            client = self.context.wrap_socket(connection, server_side=True)
        except (OSError, ssl.SSLError):
            connection.close()
            return
        backend = socket.create_connection(("127.0.0.1", self.backend_port))
        try:
            while True:
                ready = [client] if client.pending() else select.select([client, backend], [], [], 60)[0]
                if not ready:
                    return
                for source in ready:
                    data = source.recv(65536)
                    if not data:
                        return
                    (backend if source is client else client).sendall(data)
        except (OSError, ssl.SSLError):
            pass
        finally:
            client.close()
            backend.close()

    def close(self):
        self.listener.close()


@pytest.fixture
def proxied(server, home):
    authority, certificate, key = make_certificates(home / "tls")
    proxy = TLSProxy(str(certificate), str(key), server.port)
    yield server, proxy, authority
    proxy.close()


def aw(server, *args):
    return subprocess.run([AW_BINARY, *args], capture_output=True, text=True, env=server.env, timeout=60)


def write_client_config(server, text):
    folder = server.home / "config" / "activitywatch" / "aw-client"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "aw-client.toml").write_text(text)


def test_https_through_a_proxy_with_a_private_authority(proxied):
    server, proxy, authority = proxied
    # Named in aw-client.toml, as a watcher on another computer has it: no --url at all.
    write_client_config(server, f'[server-testing]\nhostname = "localhost"\nport = "{proxy.port}"\n'
                                f'protocol = "https"\nca_file = "{authority}"\n')
    made = aw(server, "heartbeat", "over-tls", '{"app": "editor"}', "--create", "test", "--testing",
              "--timestamp", "2026-05-01T11:00:00Z")
    assert made.returncode == 0, made.stderr
    extended = aw(server, "heartbeat", "over-tls", '{"app": "editor"}', "--testing", "--pulsetime", "60",
                  "--timestamp", "2026-05-01T11:00:30Z", "--json")
    assert extended.returncode == 0, extended.stderr
    # The server itself (plain HTTP, no proxy) has the one event the heartbeats made.
    direct = aw(server, "events", "over-tls", "--json", "--url", server.url)
    assert '"duration":30' in direct.stdout.replace(" ", "") and direct.stdout.count('"app"') == 1
    # --url https:// takes the same trust from aw-client.toml.
    info = aw(server, "info", "--testing", "--url", f"https://localhost:{proxy.port}")
    assert info.returncode == 0 and "hostname:" in info.stdout, info.stderr


def test_https_failures_say_why(proxied):
    server, proxy, authority = proxied
    untrusted = aw(server, "info", "--url", f"https://localhost:{proxy.port}")
    assert untrusted.returncode != 0
    assert "the server's certificate is not signed by a trusted authority" in untrusted.stderr
    write_client_config(server, f'[server]\nca_file = "{authority}"\n')
    wrong_name = aw(server, "info", "--url", f"https://127.0.0.1:{proxy.port}")
    assert wrong_name.returncode != 0 and "the server's certificate is for another host name" in wrong_name.stderr
    plain = aw(server, "info", "--url", f"https://localhost:{server.port}")
    assert plain.returncode != 0 and "the server does not speak HTTPS" in plain.stderr
    write_client_config(server, '[server]\nprotocol = "ftp"\n')
    bad = aw(server, "info")
    assert bad.returncode != 0 and "protocol" in bad.stderr and 'must be "http" or "https"' in bad.stderr
    write_client_config(server, '[server]\nca_file = "/no/such/ca.pem"\n')
    missing = aw(server, "info")
    assert missing.returncode != 0 and "'/no/such/ca.pem' is not a file that can be read" in missing.stderr
