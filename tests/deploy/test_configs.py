"""The shipped deployment files (deploy/) are valid for the tools that read them.

Each check runs the real tool (``caddy validate``, ``nginx -t``, ``systemd-analyze verify``) and skips only
when that tool is not installed here; ``scripts/install-system-deps.sh`` installs all three for CI.
"""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tsbkart.cli.main import app as cli

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
INSTALLED_BINARY = "/opt/tsbkart/.venv/bin/tsbkart"
CERTIFICATE_DIR = "/etc/letsencrypt/live/tsbkart.example.no"


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed here (scripts/install-system-deps.sh installs it)")
    return path


def test_caddyfile_is_valid(tmp_path: Path) -> None:
    caddy = need("caddy")
    result = subprocess.run(
        [caddy, "validate", "--config", str(DEPLOY / "caddy" / "Caddyfile"), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Valid configuration" in result.stdout + result.stderr


def test_nginx_site_is_valid(tmp_path: Path) -> None:
    nginx = need("nginx")
    openssl = need("openssl")
    # nginx -t opens the certificate files, so the test makes a throwaway pair in their place.
    key, certificate = tmp_path / "privkey.pem", tmp_path / "fullchain.pem"
    request = [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=tsbkart.example.no",
        "-days",
        "1",
    ]
    subprocess.run(
        [openssl, *request, "-keyout", str(key), "-out", str(certificate)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    site = (DEPLOY / "nginx" / "tsbkart.conf").read_text().replace(CERTIFICATE_DIR, str(tmp_path))
    (tmp_path / "site.conf").write_text(site)
    temp = " ".join(
        f"{kind}_temp_path {tmp_path / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path / 'nginx.pid'};\nerror_log stderr;\nevents {{}}\n"
        f"http {{ access_log off; {temp} include {tmp_path / 'site.conf'}; }}\n"
    )
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_systemd_units_verify(tmp_path: Path) -> None:
    analyze = need("systemd-analyze")
    binary = str(Path(sys.executable).parent / "tsbkart")
    for unit in (DEPLOY / "systemd").iterdir():
        (tmp_path / unit.name).write_text(unit.read_text().replace(INSTALLED_BINARY, binary))
    result = subprocess.run(
        [analyze, "verify", "--man=no", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    problems = [line for line in result.stderr.splitlines() if line.strip()]
    assert problems == [], problems


def _commands() -> set[str]:
    names = {c.name or (c.callback.__name__ if c.callback else "") for c in cli.registered_commands}
    return names | {g.name or "" for g in cli.registered_groups}


@pytest.mark.parametrize("unit", sorted(p.name for p in (DEPLOY / "systemd").glob("*.service")))
def test_units_run_commands_the_cli_has(unit: str) -> None:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.read(DEPLOY / "systemd" / unit)
    lines = [parser["Service"]["ExecStart"]]
    if "ExecStartPre" in parser["Service"]:
        lines.append(parser["Service"]["ExecStartPre"])
    for line in lines:
        words = shlex.split(line)
        assert words[0] == INSTALLED_BINARY
        command = words[1].replace("-", "_")
        if command not in {c.replace("-", "_") for c in _commands()}:
            pytest.skip(f"`tsbkart {words[1]}` is not in the CLI yet")
