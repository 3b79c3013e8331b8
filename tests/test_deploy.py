"""The ways to run Pluma (Procfile, Docker image, compose, systemd) start each process with
the one script, deploy/pluma, so their commands cannot drift; and that script starts what
the README says. This machine builds no images: the files are parsed, the script is run
with stand-ins for granian, celery and python that print how they were called."""

import configparser
import json
import logging
import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
PROCESSES = {"web", "worker", "beat"}


def _procfile() -> dict[str, list[str]]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return {
        name.strip(): shlex.split(command)
        for name, command in (line.split(":", 1) for line in lines if line.strip())
    }


def _dockerfile() -> dict[str, list[str]]:
    """The Dockerfile's instructions, continuation lines joined: {instruction: [arguments]}."""
    text = re.sub(r"\\\n", " ", (DEPLOY / "Dockerfile").read_text())
    instructions: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, _, rest = line.strip().partition(" ")
            instructions.setdefault(keyword.upper(), []).append(rest.strip())
    return instructions


def _exec_form(argument: str) -> list[str]:
    value = json.loads(argument)  # the exec form: no shell in between
    assert isinstance(value, list)
    return value


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def _unit(process: str) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    unit.read(DEPLOY / "systemd" / f"pluma-{process}.service")
    return unit


def test_the_procfile_runs_each_process_with_the_script():
    assert _procfile() == {name: ["deploy/pluma", name] for name in PROCESSES}


def test_the_image_runs_the_script_as_a_user_that_is_not_root():
    dockerfile = _dockerfile()
    assert re.fullmatch(r"python:3\.\d+-slim", dockerfile["FROM"][-1])
    assert _exec_form(dockerfile["ENTRYPOINT"][-1]) == ["/app/deploy/pluma"]
    assert _exec_form(dockerfile["CMD"][-1]) in ([name] for name in PROCESSES)
    assert dockerfile["USER"][-1] not in ("root", "0")
    # The script the entrypoint names is the one in the checkout copied to /app.
    assert dockerfile["WORKDIR"][-1] == "/app"
    assert ". ." in dockerfile["COPY"]


def test_compose_runs_each_process_from_the_image_with_the_script():
    compose = _compose()
    services = compose["services"]
    for name in PROCESSES | {"release"}:
        service = services[name]
        assert service["build"]["dockerfile"] == "deploy/Dockerfile"
        assert "entrypoint" not in service  # the image's: deploy/pluma
        assert service["command"] == [name]
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    for name in PROCESSES:
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgres://")
        assert services[name]["environment"]["REDIS_URL"] == "redis://redis:6379/0"
        assert services[name]["depends_on"]["release"] == {
            "condition": "service_completed_successfully"
        }
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])


@pytest.mark.parametrize("process", sorted(PROCESSES))
def test_each_systemd_unit_runs_the_script(process):
    service = _unit(process)["Service"]
    assert shlex.split(service["ExecStart"]) == ["/opt/pluma/deploy/pluma", process]
    assert service["WorkingDirectory"] == "/opt/pluma"
    assert service["User"] not in ("root", "0")
    assert service["Restart"] == "always"


def test_there_is_a_unit_for_each_process_and_no_other():
    assert {
        path.stem.removeprefix("pluma-") for path in (DEPLOY / "systemd").glob("*.service")
    } == (PROCESSES)


# --- the script itself ----------------------------------------------------------------


@pytest.fixture
def stand_ins(tmp_path):
    """A bin/ folder whose granian, celery and python print their arguments and exit."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for program in ("granian", "celery", "python"):
        stub = bin_dir / program
        stub.write_text(f'#!/bin/sh\necho {program} "$@"\n')
        stub.chmod(0o755)
    return bin_dir


def run_script(stand_ins: Path, *arguments: str, **environment: str) -> subprocess.CompletedProcess:
    env = {"PATH": f"{stand_ins}:/usr/bin:/bin", **environment}
    return subprocess.run(  # noqa: S603 -- our own script
        [str(DEPLOY / "pluma"), *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_the_script_starts_granian_on_the_configured_address(stand_ins):
    result = run_script(stand_ins, "web", PORT="9000", WEB_CONCURRENCY="8", WEB_HOST="0.0.0.0")  # noqa: S104
    assert result.returncode == 0, result.stderr
    argv = result.stdout.split()
    assert argv[:4] == ["granian", "--interface", "wsgi", "config.wsgi:application"]
    command = " ".join(argv)
    assert "--host 0.0.0.0 --port 9000 --workers 8" in command
    assert "--respawn-failed-workers" in command
    assert "--log-config" not in command
    # Loopback unless told otherwise: a laptop's `make run` is not reachable from its network.
    assert "--host 127.0.0.1 --port 8000 --workers 2" in run_script(stand_ins, "web").stdout


def test_the_script_gives_granian_json_logs_with_log_format_json(stand_ins):
    command = run_script(stand_ins, "web", LOG_FORMAT="json").stdout.split()
    config = command[command.index("--log-config") + 1]
    assert (ROOT / config).is_file()


def test_the_script_starts_the_worker_and_the_beat(stand_ins):
    worker = run_script(stand_ins, "worker", WORKER_CONCURRENCY="6").stdout.split()
    assert worker[:4] == ["celery", "-A", "config", "worker"]
    assert "--concurrency 6" in " ".join(worker)
    beat = run_script(stand_ins, "beat").stdout.split()
    assert beat[:4] == ["celery", "-A", "config", "beat"]


def test_the_release_migrates_then_collects_static_files(stand_ins):
    lines = run_script(stand_ins, "release").stdout.splitlines()
    assert lines == [
        "python manage.py migrate --noinput",
        "python manage.py collectstatic --noinput -v0",
    ]


def test_the_script_refuses_an_unknown_process(stand_ins):
    result = run_script(stand_ins, "webb")
    assert result.returncode != 0
    assert "usage: deploy/pluma web|worker|beat|release" in result.stderr
    assert result.stdout == ""


def test_granians_json_log_config_writes_one_json_object_per_line():
    from pydoc import locate

    from granian.log import LOGGING_CONFIG

    config = json.loads((DEPLOY / "granian-logging.json").read_text())
    # granian merges the file's top-level keys over its own configuration: every
    # formatter its handlers name must be there.
    handlers = LOGGING_CONFIG["handlers"]
    assert {handler["formatter"] for handler in handlers.values()} == set(config["formatters"])
    for spec in config["formatters"].values():
        options = dict(spec)
        formatter_class = locate(options.pop("()"))
        assert callable(formatter_class)
        formatter = formatter_class(**options)
        record = logging.LogRecord(
            "granian.access",
            logging.INFO,
            __file__,
            1,
            "%(path)s %(status)d",
            ({"path": "/", "status": 200},),
            None,
        )
        line = formatter.format(record)
        assert "\n" not in line
        assert json.loads(line) | {"time": None} == {
            "time": None,
            "level": "INFO",
            "logger": "granian.access",
            "message": "/ 200",
        }


def test_the_script_is_executable():
    assert os.access(DEPLOY / "pluma", os.X_OK)
