# Redis and Sentinel from the locally built Debian base (no registry needed).
FROM auth-chaos/base:bookworm
LABEL auth-chaos.image=redis
EXPOSE 6379 26379
# protected mode off: the container is reached only through ports published on 127.0.0.1
CMD ["redis-server", "--bind", "0.0.0.0", "--protected-mode", "no", "--save", "", "--appendonly", "no"]
