FROM debian:bookworm-slim
RUN apt-get update && apt-get install curl ca-certificates
USER nobody
CMD ["curl", "--version"]
