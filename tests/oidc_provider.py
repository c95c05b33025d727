"""A real OpenID Connect provider in this process (Authlib's server on Flask), for the single
sign-on tests: the app talks to it over HTTP as to Entra ID or any other provider.

It does what a provider must: discovery, an authorization endpoint that checks the client and
its exact redirect URI and signs in ``provider.user`` without asking (the test decides who
that is), a token endpoint that authenticates the client by its secret, takes each code
once, checks the PKCE verifier and signs an RS256 ID token carrying the nonce, a JWKS
endpoint with the public key, and userinfo behind the access token.
"""

import contextlib
import functools
import logging
import secrets
import threading
import time
from dataclasses import dataclass, field

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, jsonify, request
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

CLIENT_ID = "readiness-tests"
CLIENT_SECRET = "readiness-tests-secret"
REDIRECT_URI = "http://testserver/oidc/callback/"


@dataclass
class Client:
    client_id: str
    client_secret: str
    redirect_uris: list

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope):
        return " ".join(s for s in scope.split() if s in ("openid", "email", "profile"))

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_post", "client_secret_basic")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: dict
    nonce: str
    code_challenge: str
    code_challenge_method: str
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return None

    def get_amr(self):
        return None


@functools.cache
def signing_key():
    """The provider's RS256 key (one per test run: making one takes a moment)."""
    return RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig"})


class Provider:
    """The provider's state: its client, the person it signs in, codes and tokens issued."""

    def __init__(self, redirect_uri=REDIRECT_URI):
        self.client = Client(CLIENT_ID, CLIENT_SECRET, [redirect_uri])
        self.key = signing_key()
        self.user = {"sub": "alice-1", "email": "alice@example.com", "email_verified": True}
        self.codes = {}
        self.tokens = {}
        self.used_nonces = set()
        self.issuer = ""  # set when the server listens
        self.token_requests = 0
        self.lock = threading.Lock()

    def user_info(self, user, scope):
        info = UserInfo(sub=user["sub"])
        for claim, value in user.items():
            if claim != "sub":
                info[claim] = value
        return info


def build_app(provider):
    app = Flask(__name__)

    class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

        def save_authorization_code(self, code, req):
            payload = req.payload
            with provider.lock:
                provider.used_nonces.add(payload.data.get("nonce"))
                provider.codes[code] = Code(
                    code=code,
                    client_id=req.client.client_id,
                    redirect_uri=payload.redirect_uri,
                    scope=payload.scope,
                    user=dict(req.user),
                    nonce=payload.data.get("nonce"),
                    code_challenge=payload.data.get("code_challenge"),
                    code_challenge_method=payload.data.get("code_challenge_method"),
                )

        def query_authorization_code(self, code, client):
            with provider.lock:
                found = provider.codes.get(code)
            return found if found and found.client_id == client.client_id else None

        def delete_authorization_code(self, authorization_code):
            with provider.lock:  # a code works once
                provider.codes.pop(authorization_code.code, None)

        def authenticate_user(self, authorization_code):
            return authorization_code.user

    class OpenIDCodeExtension(OpenIDCode):
        def exists_nonce(self, nonce, req):
            with provider.lock:  # a nonce that already has a code is a replay
                return nonce in provider.used_nonces

        def resolve_client_private_key(self, client):
            return provider.key

        def get_client_algorithm(self, client):
            return "RS256"

        def get_client_claims(self, client):
            return {"iss": provider.issuer, "aud": [client.get_client_id()]}

        def get_encode_header(self, client):
            return {"alg": "RS256", "kid": provider.key.kid}

        def generate_user_info(self, user, scope):
            return provider.user_info(user, scope)

    def save_token(token, req):
        with provider.lock:
            provider.tokens[token["access_token"]] = dict(req.user)

    server = AuthorizationServer(
        app, query_client=lambda cid: provider.client if cid == CLIENT_ID else None,
        save_token=save_token,
    )  # fmt: skip
    server.register_grant(
        AuthorizationCodeGrant,
        [CodeChallenge(required=True), OpenIDCodeExtension(require_nonce=True)],
    )

    @app.get("/.well-known/openid-configuration")
    def discovery():
        base = provider.issuer
        return jsonify(
            issuer=base,
            authorization_endpoint=f"{base}/authorize",
            token_endpoint=f"{base}/token",
            userinfo_endpoint=f"{base}/userinfo",
            jwks_uri=f"{base}/jwks",
            response_types_supported=["code"],
            subject_types_supported=["public"],
            id_token_signing_alg_values_supported=["RS256"],
            code_challenge_methods_supported=["S256"],
            token_endpoint_auth_methods_supported=["client_secret_post", "client_secret_basic"],
        )

    @app.get("/authorize")
    def authorize():
        # Signs in whoever the test put in provider.user, without a page to click; an unknown
        # client or redirect URI is an error page here, never a redirect.
        user = dict(provider.user)
        try:
            grant = server.get_consent_grant(end_user=user)
        except OAuth2Error as error:
            return jsonify(error=error.error, error_description=error.description), 400
        return server.create_authorization_response(grant_user=user, grant=grant)

    @app.post("/token")
    def token():
        provider.token_requests += 1
        return server.create_token_response()

    @app.get("/jwks")
    def jwks():
        public = provider.key.as_dict(private=False)
        return jsonify(keys=[{**public, "alg": "RS256", "use": "sig", "kid": provider.key.kid}])

    @app.get("/userinfo")
    def userinfo():
        scheme, _, access_token = request.headers.get("Authorization", "").partition(" ")
        with provider.lock:
            user = provider.tokens.get(access_token) if scheme.lower() == "bearer" else None
        if user is None:
            return jsonify(error="invalid_token"), 401
        return jsonify(dict(provider.user_info(user, "openid email profile")))

    return app


@contextlib.contextmanager
def oidc_provider(redirect_uri=REDIRECT_URI):
    """Start the provider on 127.0.0.1 and a free port; yield it (``.issuer`` is its URL);
    stop it, join its thread and close its socket."""
    requests_log = logging.getLogger("werkzeug")
    level = requests_log.level
    requests_log.setLevel(logging.WARNING)
    provider = Provider(redirect_uri)
    server = make_server("127.0.0.1", 0, build_app(provider), threaded=True)
    provider.issuer = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, name="oidc-provider", daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        requests_log.setLevel(level)
