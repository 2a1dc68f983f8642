# Inference server pinned to amd64: breaks on arm64 hosts and multi-platform builds
FROM --platform=linux/amd64 python:3.12-slim AS build
WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir --prefix=/install -r requirements.txt

FROM --platform=linux/amd64 python:3.12-slim
WORKDIR /app
COPY --from=build /install /usr/local
COPY server.py ./
RUN useradd --system --uid 10001 app
USER app
EXPOSE 8080
HEALTHCHECK --interval=30s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:8080/health')"]
CMD ["python", "server.py"]
