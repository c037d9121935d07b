#!/usr/bin/env python3
"""A scripted HTTPS server for black-box tests of the aikom client (Python standard library only).

It speaks just enough of docs/protocol.md to drive aikom-feed: the token endpoint (§5.1) and the
change feed (§7.8), with the answers read from a script (JSON):

    {"client_id": "...",                      # the secret comes from AIKOM_CLIENT_SECRET
     "unavailable": {"count": 1, "retry_after_seconds": 2},   # optional: the first N feed
                                              # requests get 503 + Retry-After as an HTTP-date
     "pages": [{"framing": "chunked" | "chunked-close" | "close-delimited" | "length",
                "page": {"changes": [...], "next_cursor": "...", "has_more": true}}, ...],
     "fixed": {"status": 200, "content_type": "text/html", "body": "..." | {...}}}

Page i answers the request whose cursor is page i-1's next_cursor (page 0: no cursor); "fixed"
answers every feed request instead. Every request (time, connection, SNI, request line, headers,
body, the answer) and every failed TLS handshake is appended as one JSON line to --log. The first
line on stdout is `port N` once the server listens on 127.0.0.1:N (N chosen by the system).
"""

import argparse
import base64
import email.utils
import http.server
import json
import math
import os
import secrets
import ssl
import sys
import threading
import time
import urllib.parse


def problem(status, name, title, detail, request_id):
    return {"type": "urn:aikom:problem:" + name, "title": title, "status": status,
            "detail": detail, "request_id": request_id, "retryable": status in (429, 503),
            "errors": []}


class State:
    """What the server has done so far, shared by the connection threads."""

    def __init__(self, script, secret, log_path):
        self.script = script
        self.secret = secret
        self.lock = threading.Lock()
        self.log_file = open(log_path, "a", encoding="utf-8")
        self.tokens = set()
        self.unavailable_left = script.get("unavailable", {}).get("count", 0)
        self.next_connection = 1

    def log(self, entry):
        with self.lock:
            self.log_file.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self.log_file.flush()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 15  # seconds a connection may stay idle or slow before the server drops it

    # ---- plumbing ----------------------------------------------------------------------------

    def log_message(self, format, *args):  # the JSON log replaces http.server's stderr lines
        pass

    @property
    def state(self):
        return self.server.state

    def handle_one_request(self):
        self.entry = None
        self.raw_requestline = b""
        super().handle_one_request()
        if self.entry is None and self.raw_requestline:  # refused by http.server itself
            self.entry = {"t": time.time(), "connection": self.connection.aikom_connection,
                          "request_line": self.raw_requestline.decode("latin-1").rstrip(),
                          "unparsed": True}
        if self.entry is not None:
            self.state.log(self.entry)

    def begin(self, body):
        self.entry = {
            "t": time.time(),
            "connection": self.connection.aikom_connection,
            "sni": getattr(self.connection, "aikom_sni", None),
            "request_line": self.requestline,
            "method": self.command,
            "target": self.path,
            "headers": [[k, v] for k, v in self.headers.items()],
            "body": body.decode("utf-8", errors="replace"),
        }
        self.request_id = self.headers.get("X-Request-Id") or "req-" + secrets.token_hex(8)

    def answer(self, status, content_type, body, framing="length", extra=()):
        """Writes one response; `framing` says how its end is marked (RFC 9112 §6)."""
        if not isinstance(body, str):
            body = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        data = body.encode("utf-8")
        self.entry.update(status=status, framing=framing)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("X-Request-Id", self.request_id)
        self.send_header("Cache-Control", "no-store")
        for name, value in extra:
            self.send_header(name, value)
        if framing == "length":
            self.send_header("Content-Length", str(len(data)))
        elif framing in ("chunked", "chunked-close"):
            self.send_header("Transfer-Encoding", "chunked")
        if framing in ("chunked-close", "close-delimited"):
            self.send_header("Connection", "close")  # also sets self.close_connection
        self.end_headers()
        if framing in ("chunked", "chunked-close"):
            self.write_chunks(data, trailer=framing == "chunked-close")
        else:
            self.wfile.write(data)
        self.wfile.flush()

    def write_chunks(self, data, trailer):
        """Chunked coding written by hand: a 1-byte chunk with an extension, a cut inside a
        multi-byte UTF-8 character, upper-case hexadecimal sizes, then 100-byte chunks; the
        last chunk, optionally with a trailer field."""
        cuts = [1]
        cyrillic = data.find("Т".encode("utf-8"))
        if cyrillic > 1:
            cuts.append(cyrillic + 1)
        while cuts[-1] + 100 < len(data):
            cuts.append(cuts[-1] + 100)
        cuts.append(len(data))
        start = 0
        for i, end in enumerate(cuts):
            piece = data[start:end]
            start = end
            if not piece:
                continue
            extension = ";origin=scripted" if i == 0 else ""
            self.wfile.write(b"%X%s\r\n%s\r\n" % (len(piece), extension.encode(), piece))
        self.wfile.write(b"0\r\n")
        if trailer:
            self.wfile.write(b"X-Feed-Trailer: end of page\r\n")
        self.wfile.write(b"\r\n")

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def dispatch(self):
        body = self.read_body()
        self.begin(body)
        path = urllib.parse.urlsplit(self.path).path
        route = ROUTES.get(path)
        if route is None:
            self.answer(404, "application/problem+json",
                        problem(404, "not-found", "Not found", "no such path", self.request_id))
            return
        method, handle = route
        if self.command != method:
            self.answer(405, "application/problem+json",
                        problem(405, "method-not-allowed", "Method not allowed",
                                "use " + method, self.request_id), extra=[("Allow", method)])
            return
        handle(self, body)

    do_GET = do_POST = do_PUT = do_DELETE = dispatch

    # ---- the endpoints -----------------------------------------------------------------------

    def token(self, body):
        """§5.1: HTTP Basic with form-urlencoded id and secret, grant_type in a form body."""
        problems = []
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Basic "):
            problems.append("no Basic Authorization header")
        else:
            try:
                pair = base64.b64decode(auth[len("Basic "):], validate=True).decode("ascii")
                client_id, _, secret = pair.partition(":")
                client_id = urllib.parse.unquote_plus(client_id)
                secret = urllib.parse.unquote_plus(secret)
                if client_id != self.state.script["client_id"] or secret != self.state.secret:
                    problems.append("wrong client id or secret in Basic")
            except (ValueError, UnicodeDecodeError):
                problems.append("Basic credentials are not base64 of ASCII")
        media = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if media != "application/x-www-form-urlencoded":
            problems.append("Content-Type is " + media)
        form = urllib.parse.parse_qs(body.decode("ascii", errors="replace"),
                                     keep_blank_values=True)
        if form.get("grant_type") != ["client_credentials"]:
            problems.append("grant_type is not client_credentials")
        if "client_secret" in form or "client_id" in form:
            problems.append("credentials in the body as well as in Basic")
        self.entry["token_problems"] = problems
        if problems:
            self.answer(401, "application/json",
                        {"error": "invalid_client", "error_description": "; ".join(problems)},
                        extra=[("WWW-Authenticate", 'Basic realm="scripted"')])
            return
        token = secrets.token_hex(32)
        with self.state.lock:
            self.state.tokens.add(token)
        self.entry["issued_token"] = token
        self.answer(200, "application/json",
                    {"access_token": token, "token_type": "Bearer", "expires_in": 3600,
                     "scope": "children:read"}, extra=[("Pragma", "no-cache")])

    def changes(self, body):
        """§7.8, as the script says."""
        script = self.state.script
        auth = self.headers.get("Authorization", "")
        with self.state.lock:
            known = auth.startswith("Bearer ") and auth[len("Bearer "):] in self.state.tokens
        if not known:
            self.answer(401, "application/problem+json",
                        problem(401, "unauthorized", "Authentication required",
                                "send Authorization: Bearer <token>", self.request_id),
                        extra=[("WWW-Authenticate", 'Bearer error="invalid_token"')])
            return
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query,
                                      keep_blank_values=True)
        cursor = query.get("cursor", [""])[0]
        self.entry["cursor"] = cursor
        self.entry["limit"] = query.get("limit", [""])[0]

        with self.state.lock:
            unavailable = self.state.unavailable_left > 0
            if unavailable:
                self.state.unavailable_left -= 1
        if unavailable:
            # An IMF-fixdate 1..2 s ahead (whole seconds: the format has no fraction).
            at = math.floor(self.entry["t"]) + script["unavailable"]["retry_after_seconds"]
            self.entry["retry_after_epoch"] = at
            self.answer(503, "application/problem+json",
                        problem(503, "unavailable", "Service unavailable",
                                "scripted outage: come back at the Retry-After date",
                                self.request_id),
                        extra=[("Retry-After", email.utils.formatdate(at, usegmt=True))])
            return

        if "fixed" in script:
            fixed = script["fixed"]
            self.answer(fixed["status"], fixed["content_type"], fixed["body"])
            return

        previous = ""
        for scripted in script["pages"]:
            if cursor == previous:
                self.entry["page_cursor"] = scripted["page"]["next_cursor"]
                self.answer(200, "application/json", scripted["page"], scripted["framing"])
                return
            previous = scripted["page"]["next_cursor"]
        self.answer(400, "application/problem+json",
                    problem(400, "malformed-request", "Malformed request",
                            "a cursor this feed did not issue", self.request_id))


ROUTES = {
    "/v1/oauth/token": ("POST", Handler.token),
    "/v1/changes": ("GET", Handler.changes),
}


class TlsServer(http.server.ThreadingHTTPServer):
    """Each connection's TLS handshake runs in its own thread, not in the accept loop."""

    daemon_threads = True

    def __init__(self, address, tls, state):
        super().__init__(address, Handler)
        self.tls = tls
        self.state = state

    def finish_request(self, request, client_address):
        with self.state.lock:
            connection_id = self.state.next_connection
            self.state.next_connection += 1
        request.settimeout(Handler.timeout)
        try:
            conn = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            self.state.log({"t": time.time(), "connection": connection_id, "tls_error": str(e)})
            return
        conn.aikom_connection = connection_id
        try:
            Handler(conn, client_address, self)
        finally:
            try:
                conn.unwrap()  # close_notify: the end of a close-delimited body is not a cut
            except (ssl.SSLError, OSError, ValueError):
                pass
            conn.close()

    def handle_error(self, request, client_address):
        self.state.log({"t": time.time(), "server_error": repr(sys.exc_info()[1])})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--script", required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    with open(args.script, encoding="utf-8") as f:
        script = json.load(f)
    secret = os.environ.get("AIKOM_CLIENT_SECRET", "")
    if not secret:
        sys.exit("scripted_server: set AIKOM_CLIENT_SECRET")

    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(args.cert, args.key)

    def remember_sni(conn, name, context):
        conn.aikom_sni = name

    tls.sni_callback = remember_sni
    server = TlsServer(("127.0.0.1", 0), tls, State(script, secret, args.log))
    print("port", server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
