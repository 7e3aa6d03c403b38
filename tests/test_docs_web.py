"""docs/web.md documents every route the application serves: the API's scopes and the
console's roles as the code has them."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Mount

from hogo.api.routers.ops import operations_client
from hogo.config import Settings
from hogo.server import create_app
from tests.conftest import ROOT

DOC = (ROOT / "docs" / "web.md").read_text("utf-8")
HEADING = "### `"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    """The application as `hogo serve` builds it; nothing is opened until it starts."""
    folder: Path = tmp_path_factory.mktemp("web-docs")
    return create_app(
        Settings(database_url=f"sqlite:///{folder}/hogo.db", key_file=folder / "master.key")
    )


def routes(app: FastAPI) -> dict[str, object]:
    """Every route as its heading in docs/web.md ("GET /console/"), HEAD left out (it
    comes with GET)."""
    found: dict[str, object] = {}
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, Mount):
            found[f"GET {context.path}/{{path}}"] = route
            continue
        for method in sorted((context.methods or set()) - {"HEAD"}):
            found[f"{method} {context.path}"] = route
    return found


def documented() -> set[str]:
    return {line[len(HEADING) : -1] for line in DOC.splitlines() if line.startswith(HEADING)}


def section(name: str) -> str:
    return DOC.split(f"{HEADING}{name}`\n", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]


def calls(dependant: Dependant) -> Iterator[object]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from calls(dependency)


def roles_in_code(route: APIRoute) -> set[str]:
    """The roles the console's `require(*roles)` dependency admits (empty: anyone)."""
    for call in calls(route.dependant):
        if getattr(call, "__qualname__", "").startswith("require.<locals>"):
            return set(inspect.getclosurevars(call).nonlocals["roles"])  # type: ignore[arg-type]
    return set()


def test_every_route_is_documented(app: FastAPI) -> None:
    missing = sorted(set(routes(app)) - documented())
    assert not missing, f"docs/web.md has no section for {missing}"


def test_no_documented_route_is_missing(app: FastAPI) -> None:
    gone = sorted(documented() - set(routes(app)))
    assert not gone, f"docs/web.md documents routes the application does not have: {gone}"


def test_every_api_route_names_its_scope(app: FastAPI) -> None:
    for name, route in routes(app).items():
        if not name.split(" ")[1].startswith(("/api/", "/docs/")):
            continue
        text = section(name)
        assert "\nScope: " in f"\n{text}", f"docs/web.md: {name} names no scope"
        if isinstance(route, APIRoute):
            ops = operations_client in set(calls(route.dependant))
            assert ("`--ops`" in text) == ops, f"docs/web.md: {name}: operations key or not?"


def test_every_console_route_names_the_roles_the_code_admits(app: FastAPI) -> None:
    for name, route in routes(app).items():
        if not name.split(" ")[1].startswith("/console"):
            continue
        line = next((x for x in section(name).splitlines() if x.startswith("Roles: ")), None)
        assert line is not None, f"docs/web.md: {name} names no roles"
        stated = line.removeprefix("Roles: ").rstrip(".")
        assert isinstance(route, APIRoute)
        admitted = roles_in_code(route)
        if admitted:
            assert set(stated.split(", ")) == admitted, f"docs/web.md: {name} admits {admitted}"
        else:
            assert stated == "anyone", f"docs/web.md: {name} admits anyone"


def test_every_portal_route_says_who_may_use_it(app: FastAPI) -> None:
    for name in routes(app):
        path = name.split(" ")[1]
        if path.startswith(("/api/", "/docs/", "/console")):
            continue
        assert "\nWho: " in f"\n{section(name)}", f"docs/web.md: {name} says not who uses it"
