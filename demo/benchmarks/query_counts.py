"""Query counts of every list page (from the URL resolver) and every list endpoint (from the
committed schema, docs/openapi.yaml), requested in-process with django.test.Client as the
persona who uses it. The second request is counted: the first pays once-a-day writes (a
customer's visit) that a list does not make every time."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.paginator import Page
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, ContextList
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from demo.benchmarks.targets import API_PATH_PARAMS, API_QUERIES, LIST_PAGES, NOT_LIST_PAGES
from demo.benchmarks.world import PERSONAS, BenchWorld

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
# Routes outside the pages of the apps: the API (counted from the schema) and Django's admin.
_NOT_PAGES = ("api/v1/", "admin/")
# Paginated endpoints are asked for this many rows, so a larger world shows more of them.
API_PAGE_SIZE = 100
HOME = "community:home"


@dataclass
class Measurement:
    kind: str  # "page" or "api"
    name: str  # route name, or the schema's path template
    persona: str
    url: str
    status: int
    queries: int
    rows: int | None  # rows on the page or in the response (None: not a paginated list)
    total: int | None  # rows in the whole list, where the response says
    # The counted request's slowest SELECT (its SQL as sent, and milliseconds), for EXPLAIN.
    slowest_ms: float | None = None
    slowest_sql: str = ""


@dataclass
class QueryCounts:
    measurements: list[Measurement] = field(default_factory=list)
    # (kind, name, why): list routes and endpoints this run could not measure.
    not_measured: list[tuple[str, str, str]] = field(default_factory=list)
    excluded: tuple[str, ...] = _NOT_PAGES


def page_routes() -> dict[str, str]:
    """Every named page route (namespaced name → route), without the API and the admin."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                if not route.startswith(_NOT_PAGES):
                    name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                    found[name] = route

    walk(get_resolver().url_patterns, "", None)
    return found


def api_list_operations(schema_path: Path = SCHEMA_PATH) -> dict[str, str]:
    """GET operations whose 200 response is an array or a paginated object (with `results`):
    path template → operationId."""
    schema = yaml.safe_load(schema_path.read_text())
    components = schema.get("components", {}).get("schemas", {})
    lists = {}
    for path, item in schema["paths"].items():
        operation = item.get("get")
        if not operation:
            continue
        response = operation.get("responses", {}).get("200", {})
        body = response.get("content", {}).get("application/json", {}).get("schema", {})
        if "$ref" in body:
            body = components.get(body["$ref"].rsplit("/", 1)[-1], {})
        if body.get("type") == "array" or "results" in body.get("properties", {}):
            lists[path] = operation["operationId"]
    return lists


def _rows(response) -> tuple[int | None, int | None]:
    if response.get("Content-Type", "").startswith("application/json"):
        data = response.json()
        if isinstance(data, list):
            return len(data), len(data)
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            return len(data["results"]), data.get("count")
        return None, None
    contexts = response.context  # the templates' contexts (test instrumentation), or None
    if contexts is None:
        return None, None
    for context in contexts if isinstance(contexts, ContextList) else [contexts]:
        for layer in context:
            for value in layer.values():
                if isinstance(value, Page):
                    return len(value.object_list), value.paginator.count
    return None, None


def _slowest_select(captured: CaptureQueriesContext) -> tuple[float | None, str]:
    selects = [q for q in captured.captured_queries if q["sql"].lstrip().startswith("SELECT")]
    if not selects:
        return None, ""
    slowest = max(selects, key=lambda q: float(q["time"]))
    return float(slowest["time"]) * 1000, slowest["sql"]


def _measure(client: Client, kind: str, name: str, persona: str, url: str) -> Measurement:
    client.get(url)  # once-a-day writes and cold caches out of the way
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    rows, total = _rows(response) if response.status_code == 200 else (None, None)
    slowest_ms, slowest_sql = _slowest_select(captured)
    return Measurement(
        kind,
        name,
        persona,
        url,
        response.status_code,
        len(captured),
        rows,
        total,
        slowest_ms,
        slowest_sql,
    )


def query_counts_measure(world: BenchWorld | None) -> QueryCounts:
    clients: dict[str, Client] = {}

    def client(persona: str) -> Client:
        if persona not in clients:
            clients[persona] = Client(SERVER_NAME="127.0.0.1")
            clients[persona].force_login(world.users[persona])
        return clients[persona]

    counts = QueryCounts()

    for name, route in sorted(page_routes().items()):
        if name in NOT_LIST_PAGES:
            continue
        if name not in LIST_PAGES:
            counts.not_measured.append(
                ("page", name, f"route {route!r} is in neither LIST_PAGES nor NOT_LIST_PAGES")
            )
            continue
        persona, params = LIST_PAGES[name]
        url = reverse(name, kwargs=params(world))
        # The home is each persona's own page ("what needs you"): counted for every one.
        for who in PERSONAS if name == HOME else (persona,):
            counts.measurements.append(_measure(client(who), "page", name, who, url))

    for path in sorted(api_list_operations()):
        names = re.findall(r"{(\w+)}", path)
        if names and path not in API_PATH_PARAMS:
            counts.not_measured.append(("api", path, "no path parameters in API_PATH_PARAMS"))
            continue
        values = API_PATH_PARAMS[path](world) if names else {}
        url = path.format_map(values)
        url += f"?page_size={API_PAGE_SIZE}"  # ignored by the lists that are not paginated
        url += f"&{API_QUERIES[path]}" if path in API_QUERIES else ""
        found = [_measure(client(p), "api", path, p, url) for p in PERSONAS]
        allowed = [m for m in found if m.status == 200]
        if not allowed:
            statuses = ", ".join(f"{m.persona} {m.status}" for m in found)
            counts.not_measured.append(("api", path, f"no persona got 200 ({statuses})"))
        counts.measurements.extend(allowed)
    return counts
