# Prometheus from the local base image (its package list includes Debian's prometheus):
# metadata only, like the Redis image. Built by scripts/docker-setup.sh.
FROM auth-chaos/base:bookworm
LABEL auth-chaos.image=prometheus
EXPOSE 9090
ENTRYPOINT ["prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/var/lib/prometheus"]
