FROM python:3.13-slim
RUN <<EOF
apt-get install -y curl
