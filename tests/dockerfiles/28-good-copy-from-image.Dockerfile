FROM alpine:3.20
RUN adduser -D app

FROM python:3.12-slim
COPY --from=ghcr.io/astral-sh/uv:0.8.15 /uv /bin/uv
COPY --from=0 /etc/passwd /tmp/passwd
