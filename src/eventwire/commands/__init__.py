"""Sub-commands that live in their own modules (serve, export, series, actors ...).

Each module here defines `register(app: typer.Typer) -> None` and adds its commands; `eventwire.cli`
calls every one of them, so a new command never needs an edit to cli.py.
"""
from __future__ import annotations

import importlib
import pkgutil

import typer


def register_all(app: typer.Typer) -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)
