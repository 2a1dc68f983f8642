FROM python:3.12-slim AS test
CMD ["pytest"]

FROM python:3.12-slim
CMD ["python", "app.py"]
