ARG PYTHON_VERSION=3.12
FROM python:${PYTHON_VERSION}-slim AS base
FROM base AS final
USER 1000
CMD ["python"]
