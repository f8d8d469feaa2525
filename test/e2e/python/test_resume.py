"""A download cut mid-way is resumed by huggingface_hub with a Range request.

A small TCP proxy in front of Hubble drops the first GET of the file after 16 MiB (more than one of
the client's 10 MiB read chunks, so that it has something to resume from); the client
retries with `Range: bytes=N-`, and the result must be byte-identical."""
import os
import socket
import threading
from urllib.parse import urlparse

from huggingface_hub import hf_hub_download


class CuttingProxy:
    def __init__(self, upstream, cut_after):
        u = urlparse(upstream)
        self.upstream = (u.hostname, u.port)
        self.cut_after = cut_after
        self.cut_done = False
        self.requests = []
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        up = socket.create_connection(self.upstream)
        state = {"cutting": False, "sent": 0}

        def c2u():
            try:
                while data := client.recv(65536):
                    text = data.decode("latin1")
                    if text.startswith(("GET ", "HEAD ")):
                        with self.lock:
                            self.requests.append(text.split("\r\n\r\n")[0])
                            if text.startswith("GET ") and "/resolve/" in text and not self.cut_done:
                                state["cutting"] = True
                    up.sendall(data)
            except OSError:
                pass
            finally:
                try:
                    up.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        threading.Thread(target=c2u, daemon=True).start()
        try:
            while data := up.recv(65536):
                if state["cutting"]:
                    state["sent"] += len(data)
                    if state["sent"] > self.cut_after:
                        with self.lock:
                            self.cut_done = True
                        break
                client.sendall(data)
        except OSError:
            pass
        finally:
            for s in (client, up):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def close(self):
        self.sock.close()


def test_download_resumes_with_range(api, repo_id, tmp_path):
    data = os.urandom(32 * 1024 * 1024)
    api.upload_file(path_or_fileobj=data, path_in_repo="big.bin", repo_id=repo_id)
    proxy = CuttingProxy(api.endpoint, cut_after=16 * 1024 * 1024)
    try:
        p = hf_hub_download(repo_id, "big.bin", cache_dir=tmp_path, endpoint=f"http://127.0.0.1:{proxy.port}")
        assert open(p, "rb").read() == data
        assert proxy.cut_done
        ranged = [r for r in proxy.requests if r.startswith("GET ") and "range: bytes=" in r.lower()]
        assert ranged, "\n---\n".join(proxy.requests)
        assert not ranged[0].lower().split("range: bytes=")[1].startswith("0-")
    finally:
        proxy.close()
