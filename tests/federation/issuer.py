"""A small OpenID Connect issuer for tests: HTTPS on 127.0.0.1, discovery + JWKS, real RSA and EC keys, rotation.

It also answers the authorization-code flow (authorize + token endpoints, with PKCE) for the console sign-in.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import ipaddress
import json
import secrets
import ssl
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


class TLSMaterial:
    """A throwaway certificate authority and a server certificate for 127.0.0.1, written to temporary files."""

    def __init__(self) -> None:
        now = dt.datetime.now(dt.UTC)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_cert = (x509.CertificateBuilder().subject_name(_name("test federation CA")).issuer_name(_name("test federation CA"))
                   .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(ca_key, hashes.SHA256()))
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (x509.CertificateBuilder().subject_name(_name("127.0.0.1")).issuer_name(ca_cert.subject)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
                .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                            x509.DNSName("localhost")]), critical=False)
                .sign(ca_key, hashes.SHA256()))
        self.directory = tempfile.mkdtemp(prefix="federation-tls-")
        self.ca_file = f"{self.directory}/ca.pem"
        with open(self.ca_file, "wb") as handle:
            handle.write(ca_cert.public_bytes(serialization.Encoding.PEM))
        self.cert_file = f"{self.directory}/server.pem"
        with open(self.cert_file, "wb") as handle:
            handle.write(cert.public_bytes(serialization.Encoding.PEM))
            handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file)
        return context


class SigningKey:
    def __init__(self, kid: str, kind: str) -> None:
        self.kid = kid
        self.kind = kind
        if kind == "RSA":
            self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            self.alg = "RS256"
            jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        else:
            self.private = ec.generate_private_key(ec.SECP256R1())
            self.alg = "ES256"
            jwk = jwt.algorithms.ECAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        self.public_jwk = {**jwk, "kid": kid, "use": "sig", "alg": self.alg}

    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(serialization.Encoding.PEM,
                                                      serialization.PublicFormat.SubjectPublicKeyInfo)


class LocalIssuer:
    """Serves https://127.0.0.1:<port><path>; call start() and stop()."""

    def __init__(self, tls: TLSMaterial, path: str = "/idp", client_id: str = "sts.amazonaws.com") -> None:
        self.tls = tls
        self.path = path
        self.client_id = client_id
        self.keys = [SigningKey("rsa-1", "RSA"), SigningKey("ec-1", "EC")]
        self.jwks_fetches = 0
        self.hang_seconds = 0.0
        self.discovery_overrides: dict = {}  # what a misconfigured or hostile issuer publishes instead
        self.jwks_padding = 0  # bytes of junk added to the JWKS document
        self.raw_documents: dict[str, bytes] = {}  # "discovery" or "jwks" -> the exact body served instead
        # A host that drips its response headers: one header line every drip_seconds, drip_lines of them.
        self.drip_seconds = 0.0
        self.drip_lines = 0
        self.discovery_fetches = 0
        self.in_flight = 0  # requests being answered now
        self.most_in_flight = 0
        self._lock = threading.Lock()
        self.codes: dict[str, dict] = {}  # authorization code -> {claims, challenge, redirect_uri}
        self.sign_in_claims: dict = {}  # what the authorize endpoint signs in as
        self._server: ThreadingHTTPServer | None = None

    # --- lifecycle ---
    def start(self) -> LocalIssuer:
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                issuer._get(self)

            def do_POST(self) -> None:
                issuer._post(self)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address) -> None:
                pass  # a client that gave up (the hanging-host test) is expected

        self._server = Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.socket = self.tls.server_context().wrap_socket(self._server.socket, server_side=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}{self.path}"

    @property
    def host_path(self) -> str:
        return self.url.removeprefix("https://")

    # --- keys and tokens ---
    def rotate(self) -> SigningKey:
        """Publish a new RSA key in place of the first one (what an issuer does on key rotation)."""
        new = SigningKey(f"rsa-{secrets.token_hex(4)}", "RSA")
        self.keys = [new, *self.keys[1:]]
        return new

    def key(self, kind: str = "RSA") -> SigningKey:
        return next(key for key in self.keys if key.kind == kind)

    def claims(self, **overrides) -> dict:
        now = int(time.time())
        claims = {"iss": self.url, "sub": "repo:acme/app:ref:refs/heads/main", "aud": self.client_id,
                  "iat": now, "exp": now + 600}
        claims.update(overrides)
        return {key: value for key, value in claims.items() if value is not None}

    def token(self, key: SigningKey | None = None, headers: dict | None = None, **claims) -> str:
        key = key or self.key("RSA")
        return jwt.encode(self.claims(**claims), key.private, algorithm=key.alg,
                          headers={"kid": key.kid, **(headers or {})})

    # --- HTTP ---
    def _send(self, handler: BaseHTTPRequestHandler, status: int, body: dict | str, headers: dict | None = None):
        data = (json.dumps(body) if isinstance(body, dict) else body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json" if isinstance(body, dict) else "text/html")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def reset(self) -> None:
        """Back to a well-behaved issuer with no requests counted."""
        self.hang_seconds = self.drip_seconds = 0.0
        self.drip_lines = self.jwks_fetches = self.discovery_fetches = self.jwks_padding = self.most_in_flight = 0
        self.discovery_overrides, self.raw_documents = {}, {}

    def _drip(self, handler: BaseHTTPRequestHandler) -> bool:
        """Send the status line and then a header line every drip_seconds; False once the client has gone."""
        try:
            handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
            for number in range(self.drip_lines):
                handler.wfile.write(f"X-Drip-{number}: .\r\n".encode())
                handler.wfile.flush()
                time.sleep(self.drip_seconds)
        except OSError:
            return False
        return True

    def _get(self, handler: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            self._answer_get(handler)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _raw(self, handler: BaseHTTPRequestHandler, name: str) -> bool:
        if self.drip_lines and not self._drip(handler):
            return True
        if name not in self.raw_documents and not self.drip_lines:
            return False
        body = self.raw_documents.get(name) or b"{}"
        if not self.drip_lines:
            handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
        handler.wfile.write(b"Content-Type: application/json\r\nContent-Length: " + str(len(body)).encode()
                            + b"\r\n\r\n" + body)
        return True

    def _answer_get(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        if parts.path == f"{self.path}/.well-known/openid-configuration":
            self.discovery_fetches += 1
            if self._raw(handler, "discovery"):
                return
            self._send(handler, 200, {"issuer": self.url, "jwks_uri": f"{self.url}/jwks",
                                      "authorization_endpoint": f"{self.url}/authorize",
                                      "token_endpoint": f"{self.url}/token",
                                      "response_types_supported": ["code"],
                                      "code_challenge_methods_supported": ["S256"],
                                      "id_token_signing_alg_values_supported": ["RS256", "ES256"],
                                      **self.discovery_overrides})
        elif parts.path == f"{self.path}/jwks":
            self.jwks_fetches += 1
            if self.hang_seconds:
                time.sleep(self.hang_seconds)
            if self._raw(handler, "jwks"):
                return
            document = {"keys": [key.public_jwk for key in self.keys]}
            if self.jwks_padding:
                document["padding"] = "x" * self.jwks_padding
            self._send(handler, 200, document)
        elif parts.path == f"{self.path}/authorize":
            query = {key: values[0] for key, values in parse_qs(parts.query).items()}
            code = secrets.token_urlsafe(16)
            self.codes[code] = {"challenge": query.get("code_challenge"), "redirect_uri": query.get("redirect_uri"),
                                "nonce": query.get("nonce"), "client_id": query.get("client_id")}
            location = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}"
            handler.send_response(302)
            handler.send_header("Location", location)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
        else:
            self._send(handler, 404, {"error": "not found"})

    def _post(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        form = {key: values[0] for key, values in parse_qs(handler.rfile.read(length).decode()).items()}
        if urlsplit(handler.path).path != f"{self.path}/token":
            return self._send(handler, 404, {"error": "not found"})
        grant = self.codes.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if grant is None or grant["challenge"] != challenge or grant["redirect_uri"] != form.get("redirect_uri"):
            return self._send(handler, 400, {"error": "invalid_grant"})
        claims = {"aud": grant["client_id"], "nonce": grant["nonce"], **self.sign_in_claims}
        self._send(handler, 200, {"access_token": "opaque", "token_type": "Bearer", "id_token": self.token(**claims)})
