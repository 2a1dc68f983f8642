FROM python:latest
WORKDIR /app
COPY . .
RUN pip install -r requirements.txt
USER root
EXPOSE 8000
CMD python app.py
