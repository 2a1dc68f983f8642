#!/usr/bin/env python3
"""Loopback docs mirror for bench/fetch.sh.

Serves N generated pages at /bench/page-<i>.md with a fixed per-request latency,
ETags and 304s, plus robots.txt. `--write-manifest PATH` writes a sources.yaml
for those pages and exits.
"""
import argparse
import hashlib
import http.server
import socketserver
import sys
import time


def page(i: int) -> bytes:
    parts = [f"---\ntitle: Bench page {i}\ndescription: Generated page {i}.\n---\n",
             f"Introduction of page {i}.\n"]
    for s in range(6):
        parts.append(f"\n## Section {s}\n\nParagraph {s} of page {i} explains a step. " * 3)
        parts.append(f"\n\n```dockerfile {{title=Dockerfile}}\nFROM python:3.12-slim\nRUN echo {i}-{s}\n```\n")
        parts.append("\n> [!NOTE]\n> Remember to pin versions.\n")
    return "".join(parts).encode()


def manifest(n: int) -> str:
    refs = ["fundamentals", "dockerfile-basics", "compose", "production-hardening"]
    out = ["version: 1", "blueprint: bench", "site: https://docs.docker.com", "references:"]
    for r in refs:
        out += [f"  - file: references/{r}.md", f"    title: Bench {r}", "    budget: 12000"]
    out.append("sources:")
    for i in range(n):
        out += [f"  - path: /bench/page-{i}/", f"    title: Bench page {i}",
                "    lessons: { full: [1] }", "    feeds:",
                f"      - file: references/{refs[i % len(refs)]}.md",
                "        sections: [Section 0, Section 3]"]
    return "\n".join(out) + "\n"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    latency = 0.05
    pages = 40

    def log_message(self, *args):
        pass

    def do_GET(self):
        time.sleep(self.latency)
        body = None
        if self.path == "/robots.txt":
            body = b"User-agent: *\nDisallow: /private/\n"
        elif self.path.startswith("/bench/page-") and self.path.endswith(".md"):
            try:
                i = int(self.path[len("/bench/page-"):-3])
            except ValueError:
                i = -1
            if 0 <= i < self.pages:
                body = page(i)
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("ETag", etag)
        self.send_header("Content-Type", "text/markdown; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--latency-ms", type=float, default=50)
    ap.add_argument("--pages", type=int, default=40)
    ap.add_argument("--write-manifest")
    a = ap.parse_args()
    if a.write_manifest:
        with open(a.write_manifest, "w") as f:
            f.write(manifest(a.pages))
        return
    Handler.latency = a.latency_ms / 1000
    Handler.pages = a.pages
    srv = Server(("127.0.0.1", a.port), Handler)
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
