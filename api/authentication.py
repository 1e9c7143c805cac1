"""``Authorization: Token <token>``: the request acts as the token's provider, through its
system user (``services.provider_system_user``); ``request.auth`` is the ``ApiToken``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from api import services


class ProviderTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            value = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token header.")) from None
        request._api_token_prefix = value.partition(".")[0][:12]
        token = services.token_authenticate(value)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        return services.provider_system_user(token.provider), token

    def authenticate_header(self, request):
        return self.keyword


class ProviderTokenScheme(OpenApiAuthenticationExtension):
    target_class = ProviderTokenAuthentication
    name = "ProviderToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <token>`, as `manage.py api_token create --provider CODE` printed it.",
        }
