"""The OpenAPI 3.1 description of /api/v1/: the public case API and the signing form's two
endpoints. schemathesis checks the routes against it in CI."""

from typing import Any

SLUG = {
    "name": "slug",
    "in": "path",
    "required": True,
    "description": "The UA number with - for /, e.g. 58-20",
    "schema": {"type": "string", "pattern": "^[1-9][0-9]{0,3}-[0-9]{2}$", "examples": ["58-20"]},
}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


NOT_FOUND = _json(_ref("Error"), "No public case has this number")

COUNTS = {
    "type": "object",
    "required": ["online", "paper", "total", "goal"],
    "properties": {
        "online": {"type": "integer", "description": "Confirmed online signatures."},
        "paper": {"type": "integer", "description": "Paper signatures recorded."},
        "total": {"type": "integer"},
        "goal": {"type": ["integer", "null"]},
    },
}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Pluma public API",
        "version": "1.1.0",
        "description": "Urgent Action cases and their signature counts. Read-only, no key.",
    },
    "servers": [{"url": "/api/v1"}],
    "paths": {
        "/actions/": {
            "get": {
                "summary": "Open and closed cases, open first by nearest deadline",
                "operationId": "listActions",
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["actions"],
                            "properties": {"actions": {"type": "array", "items": _ref("Action")}},
                        },
                        "The cases",
                    )
                },
            }
        },
        "/actions/{slug}/": {
            "get": {
                "summary": "One case",
                "operationId": "getAction",
                "parameters": [SLUG],
                "responses": {"200": _json(_ref("Action"), "The case"), "404": NOT_FOUND},
            }
        },
        "/actions/{slug}/session/": {
            "get": {
                "summary": "A fresh start time for the signing form, and the live count",
                "description": (
                    "What a visitor's copy of the cached case page may refresh by script. "
                    "Never cached; sets no cookie."
                ),
                "operationId": "getSigningSession",
                "parameters": [SLUG],
                "responses": {"200": _json(_ref("Session"), "The session"), "404": NOT_FOUND},
            }
        },
        "/actions/{slug}/challenge/": {
            "get": {
                "summary": "A fresh proof-of-work challenge (ALTCHA) for the signing form",
                "operationId": "getChallenge",
                "parameters": [SLUG],
                "responses": {
                    "200": _json(_ref("Challenge"), "The challenge"),
                    "404": NOT_FOUND,
                },
            }
        },
    },
    "components": {
        "schemas": {
            "Action": {
                "type": "object",
                "required": ["number", "slug", "title", "status", "deadline", "url", "counts"],
                "properties": {
                    "number": {"type": "string", "examples": ["58/20"]},
                    "slug": {"type": "string", "examples": ["58-20"]},
                    "title": {"type": "string"},
                    "status": {"type": "string", "enum": ["open", "closed"]},
                    "deadline": {"type": "string", "format": "date"},
                    "url": {
                        "type": ["string", "null"],
                        "format": "uri",
                        "description": "The case page in the site's default language",
                    },
                    "counts": COUNTS,
                },
            },
            "Session": {
                "type": "object",
                "required": ["started", "is_open", "counts"],
                "properties": {
                    "started": {"type": "string", "description": "The form's signed start time"},
                    "is_open": {"type": "boolean"},
                    "counts": COUNTS,
                },
            },
            "Challenge": {
                "type": "object",
                "required": ["algorithm", "challenge", "salt", "signature"],
                "properties": {
                    "algorithm": {"type": "string"},
                    "challenge": {"type": "string"},
                    "maxnumber": {"type": "integer"},
                    "salt": {"type": "string"},
                    "signature": {"type": "string"},
                },
            },
            "Error": {
                "type": "object",
                "required": ["error", "detail"],
                "properties": {"error": {"type": "string"}, "detail": {"type": "string"}},
            },
        }
    },
}
