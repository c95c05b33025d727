"""The OpenAPI schema: every operation documents the one error body (``api.errors``)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

ERROR_DESCRIPTIONS = {
    "400": "Not valid: `fields` names each field with its messages.",
    "401": "No credentials, or a token that is unknown, expired or revoked.",
    "403": "Your role in the project may not do this (the message says why), or a read token "
    "tried to write.",
    "404": "No such object in your projects (another project's objects are not found either).",
    "409": "Someone changed it since the version you sent: `changes` says who changed what.",
    "415": "Send JSON.",
    "429": "Too many requests for this token; `Retry-After` says when to try again.",
}
READ_ERRORS = ("400", "401", "403", "404", "429")
WRITE_ERRORS = (*READ_ERRORS, "409", "415")


class ChangeSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    user = serializers.CharField(allow_null=True)
    at = serializers.DateTimeField()
    changes = serializers.ListField(child=serializers.CharField())


class ErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    changes = ChangeSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


class ApiSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = READ_ERRORS if self.method in ("GET", "HEAD") else WRITE_ERRORS
        for code in codes:
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = ERROR_DESCRIPTIONS[code]
                responses[code] = response
        return responses


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token, made on your profile page.",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    """The browser's session works too (with CSRF), but clients are documented one way."""

    target_class = "api.authentication.CsrfSessionAuthentication"
    name = "session"

    def get_security_requirement(self, auto_schema):
        return None

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
