"""Service handles: real processes the suite starts, drives and always cleans up.

``ServiceProcess`` is the base (own session, log file, readiness with a deadline, stop / kill /
pause / resume / restart of the whole process group). Handles: ``RedisServer``,
``SentinelGroup``, ``RedisCluster``, ``FaultProxy``, ``AuthService``, ``CommandService``,
``PrometheusServer``. ``reap_orphans`` kills what a SIGKILLed run left behind.
"""

from chaos.services.auth_service import DEFAULT_USERS, AuthService, FailureMode
from chaos.services.cluster import RedisCluster
from chaos.services.command_service import CommandService, service_of_profile
from chaos.services.errors import ServiceError, ServiceNotReady, ServiceNotRunning
from chaos.services.fault_proxy import FaultProxy
from chaos.services.lifetime import install_exit_handlers, kill_all
from chaos.services.process import ServiceProcess
from chaos.services.prometheus import PrometheusServer
from chaos.services.reaper import Marked, kill_groups, leftovers, marked_processes, reap_orphans
from chaos.services.redis_server import Persistence, RedisServer
from chaos.services.run import RunIdentity, current_run, start_run
from chaos.services.sentinel import SentinelGroup, SentinelServer
from chaos.services.stack import Stack, open_stack

__all__ = [
    "DEFAULT_USERS",
    "AuthService",
    "CommandService",
    "FailureMode",
    "FaultProxy",
    "Marked",
    "Persistence",
    "PrometheusServer",
    "RedisCluster",
    "RedisServer",
    "RunIdentity",
    "SentinelGroup",
    "SentinelServer",
    "ServiceError",
    "ServiceNotReady",
    "ServiceNotRunning",
    "ServiceProcess",
    "Stack",
    "current_run",
    "install_exit_handlers",
    "kill_all",
    "kill_groups",
    "leftovers",
    "marked_processes",
    "open_stack",
    "reap_orphans",
    "service_of_profile",
    "start_run",
]
