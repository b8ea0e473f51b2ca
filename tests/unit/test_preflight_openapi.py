"""The preflight's reading of an OpenAPI document (pure): the methods a path lists, and the
draft profile guessed from it, which loads and marks what it could not guess."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chaos.preflight import draft_profile, methods_of
from chaos.profile import load_profile

FORM_LOGIN = {
    "content": {"application/x-www-form-urlencoded": {
        "schema": {"$ref": "#/components/schemas/Body_login_token_post"}}}
}  # fmt: skip
DOCUMENT: dict[str, Any] = {
    "info": {"title": "My Shop API"},
    "paths": {
        "/metrics": {"get": {}},
        "/health": {"get": {}},
        "/token": {"post": {"requestBody": FORM_LOGIN}},
        "/users/me": {"get": {}},
        "/logout": {"delete": {}, "get": {}},
        "/token/refresh": {"post": {}},
    },
    "components": {"schemas": {"Body_login_token_post": {
        "properties": {"username": {}, "password": {}, "scope": {}}}}},
}  # fmt: skip


def _draft(document: dict[str, Any], tmp_path: Path) -> tuple[str, Path]:
    text = draft_profile(document, "uvicorn shop:app --port {port}")
    path = tmp_path / "draft.toml"
    path.write_text(text, encoding="utf-8")
    return text, path


def test_methods_of_a_path_in_a_fixed_order() -> None:
    assert methods_of(DOCUMENT, "/logout") == ["GET", "DELETE"]
    assert methods_of(DOCUMENT, "/nowhere") == []


def test_a_draft_finds_the_routes_and_loads(tmp_path: Path) -> None:
    _, path = _draft(DOCUMENT, tmp_path)
    draft = load_profile(path)
    assert draft.name == "my-shop-api"
    assert (draft.login.path, draft.login.body) == ("/token", "form")  # through the $ref
    assert draft.verify.path == "/users/me"  # /me is a path segment: not /metrics
    assert (draft.logout.method, draft.logout.path) == ("DELETE", "/logout")
    assert draft.refresh is not None
    assert draft.refresh.path == "/token/refresh"
    assert draft.command == "uvicorn shop:app --port {port}"


def test_a_draft_marks_what_it_could_not_guess(tmp_path: Path) -> None:
    text, path = _draft({"paths": {"/metrics": {"get": {}}}}, tmp_path)
    assert 'path = "/login"  # CHECK: no POST with username and password found' in text
    assert 'path = "/me"  # CHECK: not found in the document' in text
    assert 'path = "/logout"  # CHECK: not found in the document' in text
    assert "[routes.refresh]" not in text
    assert load_profile(path).verify.path == "/me"
