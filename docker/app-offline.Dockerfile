# The project (service, embedded Toxiproxy) from the local base, installed from host-built wheels.
FROM auth-chaos/base:bookworm
LABEL auth-chaos.image=app
RUN python3 -m venv /opt/auth-chaos
# dependencies first, in their own layer: cached while only the project changes
COPY wheels /tmp/wheels
# --no-index: nothing is fetched from the network inside the build
RUN /opt/auth-chaos/bin/pip install -q --no-index /tmp/wheels/*.whl \
    && rm -rf /tmp/wheels /root/.cache
COPY project /tmp/project
RUN /opt/auth-chaos/bin/pip install -q --no-index --no-deps /tmp/project/*.whl \
    && rm -rf /tmp/project /root/.cache
ENV PATH=/opt/auth-chaos/bin:$PATH PYTHONUNBUFFERED=1
CMD ["python", "-m", "system_under_test", "--help"]
