FROM postgres:16-alpine
ENV DB_PASSWORD_FILE=/run/secrets/db_password
