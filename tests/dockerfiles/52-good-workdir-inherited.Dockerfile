# syntax=docker/dockerfile:1
# Model worker: WORKDIR set once in the base stage, inherited by the stages built on it
FROM python:3.12-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app

FROM base AS deps
COPY requirements.txt ./
RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt

FROM deps AS runtime
COPY worker.py ./
COPY --chown=10001 prompts/ prompts/
COPY ${MODEL_DIR}/ /models/
RUN useradd --system --uid 10001 worker
USER worker
HEALTHCHECK --interval=60s CMD ["python", "worker.py", "--check"]
CMD ["python", "worker.py"]
