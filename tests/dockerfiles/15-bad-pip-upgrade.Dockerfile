FROM python:3.12-slim
RUN python -m pip install --upgrade pip
RUN pip3 install requests
