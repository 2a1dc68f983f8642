FROM alpine:3.20 AS runtime
COPY --from=build /out/app /usr/local/bin/app

FROM golang:1.23 AS build
RUN go build -o /out/app .
