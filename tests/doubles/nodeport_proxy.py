"""A stand-in for kube-proxy's NodePorts on the Minishift host of the end-to-end test.

kwok's pods run nothing, so no pod answers behind FfDL's services. This
process, started inside the test container (the "node"), watches the real API
server's Services and, for each NodePort service it has a route for, listens
on <every address>:<nodePort> and forwards TCP to the stand-in that plays the
pod: the REST API stand-in for ffdl-restapi, moto for s3. Ports follow the
API: a service created later is served once it exists, a deleted one is
closed (as kube-proxy does).

    python3 nodeport_proxy.py --api https://172.17.0.1:6443 --ca ca.crt --cert admin.crt --key admin.key \\
        --route ffdl-restapi=172.17.0.1:41000 --route s3=172.17.0.1:42000

Standard library only (it runs on the container's Python).
"""

import argparse
import contextlib
import json
import selectors
import socket
import ssl
import sys
import threading
import time
import urllib.request


def pump(source, target):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            target.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def forward(client, backend):
    try:
        upstream = socket.create_connection(backend, timeout=10)
    except OSError as exc:
        sys.stderr.write(f"nodeport-proxy: {backend} unreachable: {exc}\n")
        client.close()
        return
    upstream.settimeout(None)
    threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
    threading.Thread(target=pump, args=(upstream, client), daemon=True).start()


class Proxy:
    def __init__(self, args):
        self.routes = dict(route.split("=", 1) for route in args.route)
        self.api = args.api.rstrip("/")
        self.context = ssl.create_default_context(cafile=args.ca)
        self.context.load_cert_chain(args.cert, args.key)
        self.listeners = {}  # nodePort -> (socket, backend)
        self.selector = selectors.DefaultSelector()

    def wanted(self):
        """{nodePort: (host, port)} of the routed NodePort services the API has now."""
        with urllib.request.urlopen(self.api + "/api/v1/services", context=self.context, timeout=10) as response:
            services = json.load(response)["items"]
        out = {}
        for svc in services:
            backend = self.routes.get(svc["metadata"]["name"])
            if not backend or svc["spec"].get("type") != "NodePort":
                continue
            for port in svc["spec"].get("ports", []):
                if port.get("nodePort"):
                    host, _sep, number = backend.rpartition(":")
                    out[port["nodePort"]] = (host, int(number))
        return out

    def sync(self):
        wanted = self.wanted()
        for node_port in list(self.listeners):
            if wanted.get(node_port) != self.listeners[node_port][1]:
                sock, _backend = self.listeners.pop(node_port)
                self.selector.unregister(sock)
                sock.close()
        for node_port, backend in wanted.items():
            if node_port not in self.listeners:
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind(("0.0.0.0", node_port))  # noqa: S104 (a NodePort answers on every node address)
                sock.listen(64)
                sock.setblocking(False)
                self.selector.register(sock, selectors.EVENT_READ, backend)
                self.listeners[node_port] = (sock, backend)
                sys.stderr.write(f"nodeport-proxy: :{node_port} -> {backend[0]}:{backend[1]}\n")

    def run(self):
        next_sync = 0.0
        while True:
            if time.monotonic() >= next_sync:
                try:
                    self.sync()
                except OSError as exc:
                    sys.stderr.write(f"nodeport-proxy: cannot read services: {exc}\n")
                next_sync = time.monotonic() + 1.0
            for key, _events in self.selector.select(timeout=0.5):
                try:
                    client, _addr = key.fileobj.accept()
                except OSError:
                    continue
                client.setblocking(True)
                forward(client, key.data)


def name_process(name):
    """The process name /proc/<pid>/comm shows: kube-proxy's, whose NodePorts these are (a preflight on a started
    cluster sees them held by kube-proxy, as on the real node)."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None).prctl(15, name.encode(), 0, 0, 0)  # PR_SET_NAME


def main(argv=None):
    name_process("kube-proxy")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--route", action="append", default=[], help="service-name=host:port")
    Proxy(parser.parse_args(argv)).run()


if __name__ == "__main__":
    main()
