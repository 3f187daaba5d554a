# TurkMood: one image for the REST API (default command) and the Streamlit app (see compose.yaml).
# Build: docker build -t turkmood .
# API:   docker run --rm -p 127.0.0.1:8000:8000 -v turkmood-data:/data turkmood
# App:   docker run --rm --shm-size=1g -p 127.0.0.1:8501:8501 -v turkmood-data:/data turkmood \
#          python -m turkmood app --host 0.0.0.0 --port 8501
# --shm-size: the app's window pool hands a song to its workers through /dev/shm when it fits
# (Docker's default is 64 MB; beyond that it falls back to /tmp, slower but safe); user state (feedback, labels, prediction log, jobs, registry) is under /data.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    TURKMOOD_HOME=/data

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt
COPY . .
RUN useradd --create-home turkmood && mkdir -p /data && chown turkmood /data
USER turkmood
VOLUME ["/data"]
EXPOSE 8000 8501
# 0.0.0.0 inside the container only; publish the port on 127.0.0.1 of the host (see above)
CMD ["python", "-m", "turkmood", "serve", "--host", "0.0.0.0", "--port", "8000"]
