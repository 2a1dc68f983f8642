FROM nginx:1.27-alpine
ADD site/ /usr/share/nginx/html/
ADD https://example.com/robots.txt /usr/share/nginx/html/robots.txt
ADD rootfs.tar.gz /
