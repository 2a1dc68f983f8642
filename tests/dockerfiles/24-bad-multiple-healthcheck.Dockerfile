FROM nginx:1.27
HEALTHCHECK CMD ["curl", "-f", "http://localhost/"]
HEALTHCHECK --interval=5s CMD ["curl", "-f", "http://localhost/health"]
