FROM debian:bookworm-slim
RUN apt-get -qq update && apt-get -qy install --no-install-recommends make && rm -rf /var/lib/apt/lists/*
RUN apt install -y vim
