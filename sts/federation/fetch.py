"""Fetching an identity provider's published documents: HTTPS only, public addresses only, bounded in time and size.

The issuer URL comes from an administrator and the JWKS URL from the issuer's own discovery document, so both are
untrusted input to a server-side request. Each fetch has one deadline for all of it, from name resolution to the
last byte, however slowly the host drips its answer. Each host name is resolved once, every address is vetted (no private,
loopback, link-local or reserved address unless IAM_FEDERATION_ALLOW_PRIVATE_ISSUERS), and the connection goes to
the vetted address itself, so a second DNS answer cannot point the request elsewhere. TLS still verifies the
certificate against the host name. No redirects are followed.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import ssl
import threading
import time
from urllib.parse import urlencode, urlsplit

from django.conf import settings

from iam_console import metrics
from iam_console.errors import IAMError, IDPCommunicationError

MAX_DOCUMENT_BYTES = 256 * 1024
# Discovery documents, JWKS and token responses nest a few levels; far deeper is an attack on the parser.
MAX_NESTING = 32
_CHUNK = 16 * 1024


def _refuse(url: str, why: str) -> IDPCommunicationError:
    return IDPCommunicationError(f"Could not fetch {url[:200]}: {why}")


def _tls_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    bundle = getattr(settings, "IAM_FEDERATION_CA_BUNDLE", None)
    if bundle:
        context.load_verify_locations(cafile=bundle)
    return context


# Prefixes whose addresses carry an IPv4 address in their last 32 bits: IPv4-compatible (::/96, deprecated but
# routed by some stacks), NAT64 (RFC 6052's well-known prefix and RFC 8215's local-use one).
_EMBEDDING_IN_LAST_32_BITS = (ipaddress.ip_network("::/96"), ipaddress.ip_network("64:ff9b::/96"),
                              ipaddress.ip_network("64:ff9b:1::/48"))


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address leads to: mapped, compatible, NAT64, 6to4, Teredo (server and client)."""
    found = [address for address in (ip.ipv4_mapped, ip.sixtofour) if address is not None]
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if any(ip in network for network in _EMBEDDING_IN_LAST_32_BITS):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def is_public_address(address: str) -> bool:
    """A global unicast address whose every embedded IPv4 address (if any) is global too."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if not ip.is_global or ip.is_multicast:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        return all(embedded.is_global and not embedded.is_multicast for embedded in embedded_ipv4(ip))
    return True


def vetted_addresses(url: str, host: str, port: int) -> list[str]:
    """The addresses `host` resolves to, refused when any of them is not a public address (and not allowed)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise _refuse(url, f"the host name does not resolve ({error.__class__.__name__})") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not settings.IAM_FEDERATION_ALLOW_PRIVATE_ISSUERS:
        private = [address for address in addresses if not is_public_address(address)]
        if private:
            raise _refuse(url, f"{host} resolves to a private or reserved address ({private[0]}); an administrator "
                               "may allow internal identity providers with IAM_FEDERATION_ALLOW_PRIVATE_ISSUERS")
    return addresses


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to one vetted address, with the certificate checked against the URL's host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address
        self.raw_socket: socket.socket | None = None

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.raw_socket = sock
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _Exchange:
    """One request to an identity provider, run on a thread of its own so that the caller can give up on it at
    the deadline whatever it is doing then (resolving the name, connecting, handshaking, reading a header)."""

    def __init__(self, url: str, parts, form: dict[str, str] | None, deadline: float) -> None:
        self.url, self.parts, self.form, self.deadline = url, parts, form, deadline
        self.connection: _PinnedHTTPSConnection | None = None
        self.body: bytes | None = None
        self.error: Exception | None = None
        self.done = threading.Event()

    def run(self) -> None:
        try:
            self.body = self._exchange()
        except Exception as error:  # noqa: BLE001 - handed to the caller, which raises it
            self.error = error
        finally:
            self.done.set()

    def abort(self) -> None:
        """Close the connection under the thread's feet: whatever it was waiting for fails at once."""
        connection = self.connection
        if connection is not None and connection.raw_socket is not None:
            try:
                connection.raw_socket.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise _refuse(self.url, "the server did not answer in time")
        return left

    def _exchange(self) -> bytes:
        parts, url = self.parts, self.url
        port = parts.port or 443
        address = vetted_addresses(url, parts.hostname, port)[0]
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.connection = connection = _PinnedHTTPSConnection(parts.hostname, port, address, self._left(),
                                                              _tls_context())
        try:
            headers = {"Accept": "application/json", "User-Agent": "iam-console"}
            if self.form is None:
                connection.request("GET", target, headers=headers)
            else:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
                connection.request("POST", target, body=urlencode(self.form), headers=headers)
            response = connection.getresponse()
            if response.status != 200:
                raise _refuse(url, f"the server answered HTTP {response.status}")
            return _read_bounded(url, response, self.deadline)
        except (OSError, http.client.HTTPException) as error:  # timeouts, refused connections, TLS failures
            if time.monotonic() >= self.deadline:
                raise _refuse(url, "the server did not answer in time") from None
            raise _refuse(url, f"{error.__class__.__name__}: {str(error)[:200]}") from None
        finally:
            connection.close()


def deadline_from_now() -> float:
    """The moment (time.monotonic) by which a fetch started now must be over."""
    return time.monotonic() + float(settings.IAM_FEDERATION_HTTP_TIMEOUT_SECONDS)


def fetch_json(url: str, *, purpose: str, form: dict[str, str] | None = None, deadline: float | None = None) -> dict:
    """GET (or POST `form` to) an https URL for a JSON object, over by `deadline` (time.monotonic; by default
    IAM_FEDERATION_HTTP_TIMEOUT_SECONDS from now): one deadline for the whole fetch, not one per read.

    `purpose` (discovery, jwks, token) labels the fetch in the metrics, with whether it succeeded."""
    try:
        document = _fetch_json(url, form=form, deadline=deadline)
    except IAMError:
        metrics.federation_fetch(purpose, ok=False)
        raise
    metrics.federation_fetch(purpose, ok=True)
    return document


def _fetch_json(url: str, *, form: dict[str, str] | None, deadline: float | None) -> dict:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        raise _refuse(url, "it is not a URL, or its port is not a number") from None
    if parts.scheme != "https" or not parts.hostname:
        raise _refuse(url, "only https URLs are fetched")
    exchange = _Exchange(url, parts, form, deadline if deadline is not None else deadline_from_now())
    threading.Thread(target=exchange.run, name="idp-fetch", daemon=True).start()
    if not exchange.done.wait(max(0.0, exchange.deadline - time.monotonic())):
        exchange.abort()
        raise _refuse(url, "the server did not answer in time")
    if exchange.error is not None:
        raise exchange.error
    return _json_object(url, exchange.body or b"")


def _json_object(url: str, body: bytes) -> dict:
    """The document as a JSON object; one nested deeper than any provider's document is refused unparsed."""
    if _nested_deeper_than(body, MAX_NESTING):
        raise _refuse(url, f"the document is nested more than {MAX_NESTING} levels deep")
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise _refuse(url, "the response is not JSON") from None
    if not isinstance(document, dict):
        raise _refuse(url, "the response is not a JSON object")
    return document


def _nested_deeper_than(body: bytes, limit: int) -> bool:
    """Whether arrays and objects nest deeper than `limit`: one linear pass, no parsing, no recursion."""
    depth, in_string, escaped = 0, False, False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # closing quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return False


def _read_bounded(url: str, response: http.client.HTTPResponse, deadline: float) -> bytes:
    """The body, refusing one past MAX_DOCUMENT_BYTES or a server that drips it out past the deadline."""
    length = response.getheader("Content-Length")
    if length and length.isdigit() and int(length) > MAX_DOCUMENT_BYTES:
        raise _refuse(url, f"the document is larger than {MAX_DOCUMENT_BYTES} bytes")
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise _refuse(url, "the server did not answer in time")
        chunk = response.read1(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_DOCUMENT_BYTES:
            raise _refuse(url, f"the document is larger than {MAX_DOCUMENT_BYTES} bytes")
        chunks.append(chunk)
