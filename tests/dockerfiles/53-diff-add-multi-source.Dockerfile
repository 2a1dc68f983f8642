# Model files added with ADD: several sources, destination without a trailing slash
FROM python:3.12-slim
WORKDIR /app
ADD model.onnx tokenizer.json /app/models
COPY serve.py ./
RUN useradd --system --uid 10001 app
USER app
EXPOSE 8000
HEALTHCHECK --interval=30s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:8000/health')"]
CMD ["python", "serve.py"]
