"""CPU per test, beside the JUnit XML: the make test run is CPU-bound, so CPU says what a test costs.

Counted: this process and every child it waited for (ansible-playbook, helm,
the cluster's processes stopped at the end of a fixture), set-up and tear-down
included. Processes in containers are not.
"""

from __future__ import annotations

import resource
from pathlib import Path

import pytest

_CPU: list[tuple[float, str]] = []


def _cpu_seconds() -> float:
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    started = _cpu_seconds()
    yield
    _CPU.append((_cpu_seconds() - started, item.nodeid))


def pytest_sessionfinish(session):
    """<junitxml>.cpu.txt: the tests by CPU seconds, most first."""
    xml = session.config.getoption("xmlpath", None)
    if not xml or not _CPU:
        return
    lines = [f"{sum(seconds for seconds, nodeid in _CPU):7.1f} all tests"]
    lines += [f"{seconds:7.1f} {nodeid}" for seconds, nodeid in sorted(_CPU, reverse=True)]
    Path(xml).with_suffix(".cpu.txt").write_text("\n".join(lines) + "\n")
