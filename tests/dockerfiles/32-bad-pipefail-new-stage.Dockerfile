FROM debian:bookworm-slim AS a
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN echo hi | tee /tmp/a

FROM debian:bookworm-slim
RUN echo hi | tee /tmp/b
