"""Docker backend: the suite's services as containers, faults as container operations.

Needs a Docker engine and the images of scripts/docker-setup.sh (no registry). No pytest here.

    from chaos.docker_backend import DockerRun
    with DockerRun.open() as run:                 # a labelled network, removed on exit
        box = run.start_redis()                   # auth-chaos/redis:local, PONG on 127.0.0.1
        box.disconnect(); box.reconnect()         # a true partition, then heal

    stack = ComposeStack.up(ComposeOptions(workers=2))   # docker-compose.chaos.yml
    stack.urls.service, stack.handles["redis-primary"].kill(); stack.down()
"""

from ._compose import ComposeOptions, ComposeStack, StackUrls
from ._container import ContainerHandle, NetworkMembership
from ._engine import connect_engine, require_image
from ._errors import ComposeFailed, DockerBackendError, EngineUnavailable, ImageMissing, NotReady
from ._gate import (
    DOCKER_SCENARIOS,
    ComposeGateStack,
    RedisContainer,
    ServiceView,
    open_gate_stack,
    partition_figures,
    redis_partition,
)
from ._labels import OWNER_LABEL, RUN_LABEL, STACK_LABEL
from ._partition import Partition
from ._probe import ProbeSample, probe_samples
from ._reaper import Reaped, reap, reap_orphan_containers
from ._redis import redis_client, wait_redis_ready
from ._run import APP_IMAGE, REDIS_IMAGE, DockerRun

__all__ = [
    "APP_IMAGE",
    "DOCKER_SCENARIOS",
    "OWNER_LABEL",
    "REDIS_IMAGE",
    "RUN_LABEL",
    "STACK_LABEL",
    "ComposeFailed",
    "ComposeGateStack",
    "ComposeOptions",
    "ComposeStack",
    "ContainerHandle",
    "DockerBackendError",
    "DockerRun",
    "EngineUnavailable",
    "ImageMissing",
    "NetworkMembership",
    "NotReady",
    "Partition",
    "ProbeSample",
    "Reaped",
    "RedisContainer",
    "ServiceView",
    "StackUrls",
    "connect_engine",
    "open_gate_stack",
    "partition_figures",
    "probe_samples",
    "reap",
    "reap_orphan_containers",
    "redis_client",
    "redis_partition",
    "require_image",
    "wait_redis_ready",
]
