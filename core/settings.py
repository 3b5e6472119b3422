"""The settings registry's entry: every setting has a name, a default and a help text.

Each feature lists its own (``feedback.settings``, ``risk.settings``); ``web.settings`` gathers
them, loads them into the app, and ``docs/configuration.md`` documents every one (a test fails
when one is missing there).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str
