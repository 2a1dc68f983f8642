FROM nginx:1.27
EXPOSE 80/tcp 443 8000-8010/udp
USER nginx
HEALTHCHECK CMD ["curl", "-f", "http://localhost/"]
CMD ["nginx", "-g", "daemon off;"]
