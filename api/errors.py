"""One error format for every error of the API (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``).

    {"error": {"status": 409, "code": "conflict", "message": "...",
               "fields": {"due_date": ["..."]}, "changes": [...]}}

``fields`` names the request fields a validation error is about; ``changes`` lists, for a
409, who changed what since the version the client sent. The services raise Django's own
errors (PermissionDenied, ValidationError, Http404, ConflictError); they are translated here.
"""

import logging

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from core.errors import ConflictError
from core.history import describe_changes
from cutover.services.runs import StaleMark

NOT_FOUND = "Not found: there is no such object in your projects."
SERVER_ERROR = "Something went wrong on our side; it has been logged. Nothing was saved."
request_logger = logging.getLogger("django.request")


def error_body(status_code, code, message, *, fields=None, changes=None):
    return {
        "error": {
            "status": status_code,
            "code": code,
            "message": message,
            "fields": fields or {},
            "changes": changes or [],
        }
    }


def _flatten(detail, prefix=""):
    """DRF's nested error detail as {"field" or "parent.field": [messages]}."""
    if isinstance(detail, dict):
        fields = {}
        for name, value in detail.items():
            key = name if name not in ("non_field_errors", NON_FIELD_ERRORS) else ""
            fields.update(_flatten(value, f"{prefix}.{key}".strip(".") if key else prefix))
        return fields
    if isinstance(detail, list) and detail and isinstance(detail[0], dict | list):
        fields = {}
        for index, value in enumerate(detail):
            fields.update(_flatten(value, f"{prefix}.{index}".strip(".")))
        return fields
    messages = [str(message) for message in (detail if isinstance(detail, list) else [detail])]
    return {prefix: messages} if messages else {}


def _validation(fields):
    """A 400 from {field: [messages]}; messages about no field make the message."""
    general = fields.pop("", [])
    message = " ".join(general) or "Some fields are not valid: " + ", ".join(sorted(fields)) + "."
    return status.HTTP_400_BAD_REQUEST, "invalid", message, fields


def _conflict_changes(conflict):
    return [
        {
            "version": change.version,
            "user": str(change.user) if change.user else None,
            "at": change.created_at.isoformat(),
            "changes": describe_changes(change.changes),
        }
        for change in conflict.changes
    ]


def _translate(exc):
    """(status, code, message, fields, changes) for an exception the API answers, or None."""
    if isinstance(exc, ConflictError):
        return status.HTTP_409_CONFLICT, "conflict", str(exc), {}, _conflict_changes(exc)
    if isinstance(exc, StaleMark):
        return status.HTTP_409_CONFLICT, "conflict", " ".join(exc.messages), {}, []
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            fields = {
                ("" if name == NON_FIELD_ERRORS else name): list(messages)
                for name, messages in exc.message_dict.items()
            }
        else:
            fields = {"": list(exc.messages)}
        return (*_validation(fields), [])
    if isinstance(exc, Http404 | exceptions.NotFound):
        return status.HTTP_404_NOT_FOUND, "not_found", NOT_FOUND, {}, []
    if isinstance(exc, PermissionDenied):
        message = str(exc) or "You may not do that in this project."
        return status.HTTP_403_FORBIDDEN, "permission_denied", message, {}, []
    if isinstance(exc, exceptions.ValidationError):
        return (*_validation(_flatten(exc.detail)), [])
    if isinstance(exc, exceptions.APIException):
        detail = exc.detail
        message = " ".join(str(m) for m in detail) if isinstance(detail, list) else str(detail)
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
        return exc.status_code, code, message, {}, []
    return None


def exception_handler(exc, context):
    translated = _translate(exc)
    if translated is None:
        # A fault of ours: logged as Django logs a 500 (and mailed to the admins where that
        # is set up), answered in the same format as every other error.
        request = context.get("request")
        request_logger.error(
            "Internal Server Error: %s", getattr(request, "path", "?"), exc_info=exc,
            extra={"status_code": 500, "request": getattr(request, "_request", request)},
        )  # fmt: skip
        translated = (500, "server_error", SERVER_ERROR, {}, [])
    status_code, code, message, fields, changes = translated
    set_rollback()
    headers = {}
    if isinstance(exc, exceptions.APIException):
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None) is not None:
            headers["Retry-After"] = str(int(exc.wait))
    return Response(
        error_body(status_code, code, message, fields=fields, changes=changes),
        status=status_code,
        headers=headers,
    )
