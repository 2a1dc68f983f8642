# syntax=docker/dockerfile:1
FROM debian:bookworm-slim
RUN <<EOT
set -e
apt-get update
apt-get install -y --no-install-recommends ca-certificates
rm -rf /var/lib/apt/lists/*
EOT
USER nobody
