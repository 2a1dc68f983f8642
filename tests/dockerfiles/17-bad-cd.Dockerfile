FROM golang:1.23
COPY . /src
RUN cd /src && go build -o /out/app ./cmd/app
