# Prometheus for the monitoring profile: Debian's package (2.42, the version the suite tests
# against), for machines that can pull from a registry. No registry? scripts/docker-setup.sh
# builds the same from the local base image (prometheus-offline.Dockerfile).
FROM debian:bookworm-slim
LABEL auth-chaos.image=prometheus
RUN apt-get update \
    && apt-get install -y --no-install-recommends prometheus \
    && rm -rf /var/lib/apt/lists/*
EXPOSE 9090
ENTRYPOINT ["prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/var/lib/prometheus"]
