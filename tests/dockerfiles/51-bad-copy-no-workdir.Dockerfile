# Chat UI: files copied to relative paths before any WORKDIR
FROM node:22-slim AS build
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM nginx:1.27-alpine
COPY nginx.conf /etc/nginx/conf.d/default.conf
COPY --from=build dist html/
EXPOSE 80
HEALTHCHECK --interval=30s CMD wget -q --spider http://localhost:80/ || exit 1
USER nginx
CMD ["nginx", "-g", "daemon off;"]
