"""A write done by someone is called the same way everywhere: the acting user as the
keyword-only `actor`, and every other argument by keyword after it, so a caller cannot
swap a product and a warehouse, or a quantity and a count, without an error."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import clientela

# The modules that write: every app's services, and the parts of a service split out of it.
WRITERS = {
    "clientela.core.record_services",
    "clientela.core.settings_services",
    "clientela.orders.catalogue",
    "clientela.customers.merging",
    "clientela.orders.invoicing",
    "clientela.orders.shipping",
    "clientela.orders.stock",
    "clientela.tickets.knowledge",
    "clientela.tickets.merging",
}


def writer_modules():
    for info in pkgutil.walk_packages(clientela.__path__, "clientela."):
        if info.name.endswith(".services") or info.name in WRITERS:
            yield importlib.import_module(info.name)


def test_the_list_of_writers_is_current():
    found = {module.__name__ for module in writer_modules()}
    assert found >= WRITERS


def test_every_service_done_by_someone_takes_its_arguments_by_keyword():
    positional = []
    for module in writer_modules():
        for name, function in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(function):
                continue
            if function.__module__ != module.__name__:
                continue
            parameters = inspect.signature(function).parameters
            if "actor" not in parameters:
                continue
            by_position = [
                p.name
                for p in parameters.values()
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
            ]
            if by_position:
                positional.append(f"{module.__name__}.{name}({', '.join(by_position)})")
    assert positional == []
