"""The OpenAPI schema's part of what every endpoint shares: its error answers (settings.py names this
AutoSchema for DRF, so the apps import nothing from here).

Views declare the answers that are their own (a 204, a 409 with its meaning, a 503). The answers that
follow from the site's rules are added here, so that no endpoint's documentation can forget them:

- 401 and 403 where the endpoint needs authentication (no or a bad token; not allowed: a lead's action
  for an annotator, a missing permission, a session request without its CSRF token);
- 404 where the path names an object (outsiders get 404 for a project, as for a missing one);
- 400 (field errors), 413 and 415 where the request has a body (too large: config/parsers.py and config/views.py;
  a media type it does not read);
- 429 where the endpoint is throttled;
- 503 everywhere: a database that is not answering (config/middleware.py), unless the view says what its own
  503 means; a `Retry-After` header with every 429 and 503.

Every error body is `{"detail": "..."}` (labeling/api/errors.py, DRF's handler, config/views.py), except
a body that does not validate: then each field's messages.
"""
from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers
from rest_framework.permissions import AllowAny

COMMON_ERRORS = {
    "400": "The request is malformed or a field is invalid.",
    "401": "No credentials, or a token that is not valid.",
    "403": "Not allowed: a lead's action for a member, a missing permission, or a session request without "
           "its CSRF token.",
    "404": "Not found, or not visible to the caller (a project the caller is no member of).",
    "413": "The request body is larger than its limit.",
    "415": "The request body's media type is not one this endpoint reads.",
    "429": "Too many requests from this address; repeat after `Retry-After` seconds.",
    "503": "The database is not answering (it may be restarting); nothing was stored, repeat after `Retry-After` "
           "seconds.",
}

FIELD_ERRORS = {
    "type": "object",
    "description": "`detail` for a body that could not be read; otherwise each invalid field's messages: a list "
                   "of strings, an object of them for a nested field (`non_field_errors` for the body as a whole).",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {},
}

RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before repeating."}}


def _json(schema):
    return {"application/json": {"schema": schema}}


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class AutoSchema(openapi.AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        expected = []
        if "requestBody" in operation:
            expected += ["400", "413", "415"]
        if self._needs_authentication():
            expected += ["401", "403"]
        if "{" in path:
            expected.append("404")
        if self.view.get_throttles():
            expected.append("429")
        expected.append("503")
        for code in expected:
            if code not in responses:
                schema = self._field_errors() if code == "400" else self._error()
                responses[code] = {"description": COMMON_ERRORS[code], "content": _json(schema)}
        for code, response in responses.items():
            if code >= "400" and "content" not in response:
                response["content"] = _json(self._error())
            if code in ("429", "503"):
                response.setdefault("headers", {}).update(RETRY_AFTER)
        return operation

    def _needs_authentication(self) -> bool:
        return not all(isinstance(permission, AllowAny) for permission in self.view.get_permissions())

    def _error(self):
        return self.resolve_serializer(ErrorSerializer, "response").ref

    def _field_errors(self):
        component = ResolvedComponent(name="FieldErrors", type=ResolvedComponent.SCHEMA, schema=FIELD_ERRORS,
                                      object="FieldErrors")
        self.registry.register_on_missing(component)
        return component.ref
