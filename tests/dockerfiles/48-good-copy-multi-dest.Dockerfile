# syntax=docker/dockerfile:1
# Same RAG API: every multi-source COPY ends its destination with a slash
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt constraints.txt ./
RUN pip install --no-cache-dir -r requirements.txt -c constraints.txt
COPY app.py retriever.py prompts.py /app/src/
COPY ["config/settings.yaml", "config/logging.yaml", "/app/config/"]
COPY models/*.onnx /app/models/
RUN useradd --system --uid 10001 app
USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:8000/health')"]
CMD ["uvicorn", "src.app:app", "--host", "0.0.0.0", "--port", "8000"]
