# syntax=docker/dockerfile:1
FROM python:3.12-slim
ENV APP_ENV=production
RUN --mount=type=secret,id=pip_token,env=PIP_INDEX_TOKEN \
    pip install --no-cache-dir -r requirements.txt
