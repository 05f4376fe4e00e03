"""A fake JSON endpoint on 127.0.0.1 for the outboxes' tests (a WeCom robot, an SMS gateway):
records each JSON body it is posted and its headers, answers `status` with `reply`."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class JsonEndpoint:
    def __init__(self, reply: dict, status: int = 200, path: str = "/send"):
        self.bodies, self.headers, self.status, self.reply = [], [], status, reply
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                endpoint.headers.append(dict(self.headers))
                endpoint.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                answer = json.dumps(endpoint.reply).encode()
                self.send_response(endpoint.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}{path}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
