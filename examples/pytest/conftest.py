"""Grant Lab as the identity provider of a pytest suite, through its HTTP control plane only.

Prerequisites: Python 3 with pytest and requests (Debian: python3-pytest python3-requests), and
Grant Lab: either started here as a process (GRANT_LAB_COMMAND, default "npx grant-lab"), or
already running, e.g. as the Docker image (GRANT_LAB_ISSUER and GRANT_LAB_CONTROL_TOKEN).
"""
import os
import secrets
import shlex
import signal
import subprocess
import tempfile
import time

import pytest
import requests


class GrantLab:
    """The issuer, and the control plane: JSON over HTTP with the control token."""

    def __init__(self, issuer, control_token):
        self.issuer = issuer
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {control_token}"

    def control(self, method, path, json=None, expect=(200, 201, 204)):
        response = self.http.request(method, f"{self.issuer}/_lab{path}", json=json, timeout=10)
        assert response.status_code in expect, f"{method} /_lab{path}: {response.status_code} {response.text}"
        return response.json() if response.content else None


def start_grant_lab(control_token):
    """Starts Grant Lab on a free port, in memory, and waits for its ready line."""
    command = shlex.split(os.environ.get("GRANT_LAB_COMMAND", "npx grant-lab"))
    data_dir = tempfile.mkdtemp(prefix="grant-lab-pytest-")
    process = subprocess.Popen(
        [*command, "--port", "0", "--storage", "memory", "--data-dir", data_dir],
        env={**os.environ, "GRANT_LAB_CONTROL_TOKEN": control_token, "LOG_LEVEL": "warn"},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        # Its own process group: npx runs npm, a shell, then the server; stopping the group stops them all.
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    seen = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line)
        if line.startswith("Grant Lab ready at "):
            issuer = line.split()[4]
            # The start line says the control plane is on.
            assert process.stdout.readline().startswith("State kept in")
            assert process.stdout.readline().startswith(f"Control plane on at {issuer}/_lab/")
            return process, issuer
    os.killpg(process.pid, signal.SIGKILL)
    raise RuntimeError("Grant Lab did not start:\n" + "".join(seen))


@pytest.fixture(scope="session")
def grant_lab():
    if os.environ.get("GRANT_LAB_ISSUER"):
        yield GrantLab(os.environ["GRANT_LAB_ISSUER"], os.environ["GRANT_LAB_CONTROL_TOKEN"])
        return
    control_token = secrets.token_urlsafe(32)
    process, issuer = start_grant_lab(control_token)
    try:
        yield GrantLab(issuer, control_token)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)


@pytest.fixture
def lab(grant_lab):
    """Each test starts from the configuration alone: no session, token, user, client or scenario."""
    yield grant_lab
    grant_lab.control("POST", "/reset")
