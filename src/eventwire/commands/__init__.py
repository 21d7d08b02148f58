"""Sub-commands that live in their own modules (serve, export, series, actors ...).

Each module here defines `register(app: typer.Typer) -> None` and adds its commands; `eventwire.cli`
calls `register_all`, which registers the modules of COMMAND_MODULES in that order. A new command is a
new module here plus one line in that list.
"""
from __future__ import annotations

import typer

from . import actors, code, evaluate, events, export, merge, panel, series, serve

COMMAND_MODULES = (actors, code, evaluate, events, export, merge, panel, series, serve)


def register_all(app: typer.Typer) -> None:
    for module in COMMAND_MODULES:
        module.register(app)
