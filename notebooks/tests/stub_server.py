"""A tiny HTTP server for client tests: answers from a route table and records every request."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class StubServer:
    def __init__(self):
        self.routes = {}
        self.requests = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def handle_any(self):
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?")[0]
                stub.requests.append({"method": self.command, "path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
                answer = stub.routes.get((self.command, path))
                if callable(answer):
                    answer = answer(self.path, body)
                if isinstance(answer, list):  # a queue of answers, one per call
                    answer = answer.pop(0) if len(answer) > 1 else answer[0]
                status, payload = answer if answer else (404, {"error": {"code": "not_found", "message": "no route"}})
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = handle_any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def json_bodies(self, method, path):
        return [json.loads(r["body"]) for r in self.requests if r["method"] == method and r["path"].split("?")[0] == path]
