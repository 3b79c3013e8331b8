"""The demo site's content, as data: three Mexican cases, their targets, and the pages.

The YAML files here hold it (README.md describes them); `read()` in loader.py checks them and
`load_demo` (cms/management/commands/load_demo.py) turns them into rows and pages. The facts
come from public human-rights reporting; every sentence is our own. Every contact is
fictional and lives on example.org, so a demo letter can never reach a person.
"""

from .checks import DemoDataError
from .loader import Demo, read

__all__ = ["Demo", "DemoDataError", "read"]
