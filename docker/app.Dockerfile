# The project on the official Python image: for machines that can pull from a registry.
# No registry? scripts/docker-setup.sh builds the same image offline (app-offline.Dockerfile).
FROM python:3.11-slim-bookworm
LABEL auth-chaos.image=app
# the locked runtime dependencies first (hash-checked), then the project without resolving again
COPY requirements/runtime.txt /src/requirements/runtime.txt
RUN pip install --no-cache-dir --require-hashes -r /src/requirements/runtime.txt
COPY pyproject.toml README.md /src/
COPY system_under_test /src/system_under_test
COPY chaos /src/chaos
COPY fixtures /src/fixtures
RUN pip install --no-cache-dir --no-deps /src && rm -rf /src
ENV PYTHONUNBUFFERED=1
CMD ["python", "-m", "system_under_test", "--help"]
