FROM node:22 AS build
RUN npm --version
FROM node:22-slim AS build
RUN node --version
