"""Bytes that HTTP client libraries refuse to send, over a raw socket: non-UTF-8 and control
characters in headers, NUL, oversized and too many headers, broken request lines, a request cut
off mid-way. Each gets the API's error object (a parse error is answered and the connection
closed); the server keeps serving the valid key afterwards."""

import json
import socket
import urllib.parse

import pytest

VERSION = b"Notion-Version: 2022-06-28\r\n"


def exchange(base_url, raw):
    address = urllib.parse.urlparse(base_url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        data = b""
        try:
            connection.sendall(raw)
            connection.shutdown(socket.SHUT_WR)
            while True:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                data += chunk
        except ConnectionResetError:
            # The server answers a parse error at once and closes; bytes of ours it never read
            # make the close a reset, after its answer.
            pass
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1]) if head.startswith(b"HTTP/1.1 ") else None
    return status, body


def request(path=b"/v1/users/me", authorization=None, version=VERSION, extra=b""):
    lines = b"GET " + path + b" HTTP/1.1\r\nHost: gatehouse.test\r\n"
    if authorization is not None:
        lines += b"Authorization: " + authorization + b"\r\n"
    return lines + version + extra + b"Connection: close\r\n\r\n"


CASES = [
    ("non-UTF-8 token", lambda key: request(authorization=b"Bearer \xff\xfe\xc3(" + key[4:]), 401, "unauthorized"),
    ("control characters in Authorization", lambda key: request(authorization=b"Bearer \x01\x7f" + key), 400, "invalid_request"),
    ("NUL in Authorization", lambda key: request(authorization=b"Bearer " + key[:10] + b"\x00" + key[10:]), 400, "invalid_request"),
    ("an Authorization header of 100 KB", lambda key: request(authorization=b"Bearer " + b"A" * 100_000), 400, "invalid_request"),
    ("2,000 headers", lambda key: request(authorization=b"Bearer " + key, extra=b"X-Filler: 1\r\n" * 2_000), 400, "invalid_request"),
    ("non-UTF-8 Notion-Version", lambda key: request(authorization=b"Bearer " + key, version=b"Notion-Version: 20\xff\xfe\r\n"), 400, "validation_error"),
    ("a request line that is not HTTP", lambda key: b"GARBAGE\r\n\r\n", 400, "invalid_request"),
    ("non-UTF-8 bytes in the path", lambda key: request(path=b"/v1/users/\xff\xfe", authorization=b"Bearer " + key), 400, "invalid_request"),
    ("a header without a colon", lambda key: request(authorization=b"Bearer " + key, extra=b"NoColonHere\r\n"), 400, "invalid_request"),
]


@pytest.mark.parametrize("name,make,status,code", CASES, ids=[case[0] for case in CASES])
def test_hostile_bytes_get_the_error_object(sandbox, name, make, status, code):
    got, body = exchange(sandbox.base_url, make(sandbox.key.encode()))
    assert got == status, body[:300]
    error = json.loads(body)
    assert error["object"] == "error" and error["code"] == code and error["request_id"]
    ok, body = exchange(sandbox.base_url, request(authorization=b"Bearer " + sandbox.key.encode()))
    assert ok == 200, body[:300]


def test_a_request_cut_off_midway_leaves_the_server_serving(sandbox):
    address = urllib.parse.urlparse(sandbox.base_url)
    for cut in [b"GET /v1/users/me HTTP/1.1\r\nAuthori", b"POST /v1/search HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"q"]:
        with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
            connection.sendall(cut)
    ok, body = exchange(sandbox.base_url, request(authorization=b"Bearer " + sandbox.key.encode()))
    assert ok == 200, body[:300]
