"""Validates real responses against the server's own /api/v1/openapi.json."""

import json
import re

from jsonschema import Draft202012Validator, FormatChecker, RefResolver

# jsonschema checks "date-time" only when rfc3339-validator is installed; Debian does not ship
# it, so the format the API promises (ISO 8601 UTC) is checked here.
FORMATS = FormatChecker()
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@FORMATS.checks("date-time")
def _is_date_time(value):
    return not isinstance(value, str) or bool(_DATE_TIME.match(value))


@FORMATS.checks("date")
def _is_date(value):
    return not isinstance(value, str) or bool(_DATE.match(value))


class OpenApiChecker:
    def __init__(self, spec: dict):
        self.spec = spec
        self.resolver = RefResolver.from_schema(spec)
        self._validators = {}
        # (method, compiled regex, number of {params}, template) — the router prefers the
        # template with the fewest parameters, so this lookup does the same.
        self.operations = []
        for template, item in spec["paths"].items():
            pattern = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$"
            params = template.count("{")
            for method in item:
                if method in ("get", "post", "put", "patch", "delete"):
                    self.operations.append((method.upper(), re.compile(pattern), params, template))

    def find_operation(self, method: str, path: str):
        matches = [(params, template) for m, rx, params, template in self.operations
                   if m == method.upper() and rx.match(path)]
        if not matches:
            return None, None
        _, template = min(matches)
        return template, self.spec["paths"][template][method.lower()]

    def resolve(self, node: dict) -> dict:
        while isinstance(node, dict) and "$ref" in node:
            _, node = self.resolver.resolve(node["$ref"])
        return node

    def check(self, method: str, path: str, status: int, headers, body_bytes: bytes) -> None:
        """Raises AssertionError when the response does not match the documented one."""
        template, op = self.find_operation(method, path)
        assert op is not None, f"{method} {path} is not described in openapi.json"
        responses = op["responses"]
        described = responses.get(str(status)) or responses.get("default")
        assert described is not None, (
            f"{method} {template} answered {status}, which openapi.json does not list"
        )
        described = self.resolve(described)
        content = described.get("content")
        if not content:
            assert body_bytes in (b"", None), (
                f"{method} {template} {status} is documented without a body but sent {body_bytes[:200]!r}"
            )
            return
        content_type = headers.get("Content-Type", "")
        media_type = content_type.split(";", 1)[0].strip().lower()
        media = content.get(media_type)
        assert media is not None, (
            f"{method} {path} {status}: Content-Type {content_type!r}, spec lists {sorted(content)}"
        )
        if media_type != "application/json":
            # Non-JSON bodies (text/csv) are documented as strings: check they decode as text.
            assert media["schema"].get("type") == "string", (method, template, media_type)
            body_bytes.decode("utf-8")
            return
        body = json.loads(body_bytes)
        schema = media["schema"]
        key = json.dumps(schema, sort_keys=True)
        validator = self._validators.get(key)
        if validator is None:
            validator = Draft202012Validator(schema, resolver=self.resolver,
                                             format_checker=FORMATS)
            self._validators[key] = validator
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
        if errors:
            details = "\n".join(
                f"  at {'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
                for e in errors[:10]
            )
            raise AssertionError(
                f"{method} {path} -> {status} does not match openapi.json ({template}):\n{details}\n"
                f"body: {json.dumps(body, ensure_ascii=False)[:1000]}"
            )
