"""Checks on values read from the demo's YAML files, each naming the file and the key of a
value that does not fit, so that whoever edits the file sees what to change."""

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django_countries import countries


class DemoDataError(Exception):
    """A demo data file that does not fit; the message names the file and the key."""


@dataclass(frozen=True)
class At:
    file: Path
    path: str = ""  # keys from the top of the file: page.en.body[2]

    def __truediv__(self, key: str | int) -> "At":
        if isinstance(key, int):
            return At(self.file, f"{self.path}[{key}]")
        return At(self.file, f"{self.path}.{key}" if self.path else key)

    def load(self) -> Any:
        """The file's data, by yaml.safe_load: plain values only, never Python objects."""
        try:
            return yaml.safe_load(self.file.read_text(encoding="utf-8"))
        except OSError as error:
            raise self.error(f"cannot read the file ({error.strerror})") from error
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            raise self.error(f"not valid YAML{where}: {error.problem or error}") from error
        except yaml.YAMLError as error:
            raise self.error(f"not valid YAML: {error}") from error

    def error(self, message: str) -> DemoDataError:
        file = (
            self.file.relative_to(Path.cwd()) if self.file.is_relative_to(Path.cwd()) else self.file
        )
        return DemoDataError(
            f"{file}: {self.path}: {message}" if self.path else f"{file}: {message}"
        )


def mapping(value: Any, at: At, *, required: tuple = (), optional: tuple = ()) -> dict:
    keys = (*required, *optional)
    if not isinstance(value, dict):
        raise at.error(f"expected the keys {', '.join(keys)}; got {shown(value)}")
    for key in required:
        if key not in value:
            raise at.error(f"missing key {key!r}")
    for key in value:
        if key not in keys:
            raise at.error(f"unknown key {key!r} (expected {', '.join(keys)})")
    return value


def items(value: Any, at: At) -> list:
    if not isinstance(value, list) or not value:
        raise at.error(f"expected a list of one or more items; got {shown(value)}")
    return value


def text(value: Any, at: At) -> str:
    if isinstance(value, bool):
        # YAML reads a bare yes, no, on or off (or NO, for Norway) as a boolean.
        raise at.error(f"expected text, got {value!r}: put the value in quotes")
    if not isinstance(value, str) or not value.strip():
        raise at.error(f"expected text; got {shown(value)}")
    return value


def date(value: Any, at: At) -> datetime.date:
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise at.error(f"expected a date such as 2020-04-20; got {shown(value)}")
    return value


def days(value: Any, at: At) -> datetime.timedelta:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise at.error(f"expected a number of days (0 or more); got {shown(value)}")
    return datetime.timedelta(days=value)


def choice(value: Any, at: At, choices) -> str:
    allowed = [str(code) for code in choices]
    if text(value, at) not in allowed:
        listed = (
            ", ".join(allowed) if len(allowed) <= 12 else f"the {len(allowed)} codes Django knows"
        )
        raise at.error(f"{value!r} is not one of {listed}")
    return value


def country(value: Any, at: At) -> str:
    if text(value, at) not in countries:
        raise at.error(f"{value!r} is not a country code such as MX")
    return value


def shown(value: Any) -> str:
    if value is None:
        return "nothing"
    return f"{type(value).__name__} {value!r}"[:80]
