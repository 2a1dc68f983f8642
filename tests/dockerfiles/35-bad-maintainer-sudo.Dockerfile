FROM ubuntu:24.04
MAINTAINER someone@example.com
RUN sudo apt-get update
