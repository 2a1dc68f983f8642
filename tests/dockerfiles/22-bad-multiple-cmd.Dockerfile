FROM python:3.12-slim
CMD ["python", "one.py"]
CMD ["python", "two.py"]
ENTRYPOINT ["tini", "--"]
ENTRYPOINT ["dumb-init", "--"]
