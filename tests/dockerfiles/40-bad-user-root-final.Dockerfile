FROM python:3.12-slim AS build
RUN useradd -r app

FROM build
USER app
RUN echo ok
USER root
CMD ["python", "-m", "http.server"]
