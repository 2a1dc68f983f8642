FROM alpine:3.20
ADD rootfs.tar.xz /
ADD https://example.com/tool.tgz /opt/
