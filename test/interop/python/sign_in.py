"""Sign a user in with Authlib: authorization code + PKCE, then keep calling an API.

A command-line app in the style of RFC 8252: it listens on a loopback port for its redirect,
prints the URL to open in a browser, exchanges the code, verifies the ID token, calls the API and
userinfo, then, once the access token has expired, calls the API again: Authlib refreshes the
token on that call by itself.

Prerequisites
- Debian's /usr/bin/python3 with python3-authlib and python3-requests (Authlib 1.2).
- An OpenID provider at ISSUER (https anywhere but on this machine), and a client registered
  there: CLIENT_ID / CLIENT_SECRET, redirect URI http://127.0.0.1/callback on any port
  (RFC 8252 §7.3), grants authorization_code and refresh_token.
- API: the resource indicator of the API to call (RFC 8707), which is also its base URL;
  SCOPE: what to ask for (default "openid profile email read:reports").
- TOKEN_PARAMS (optional): extra token-request parameters as a query string, sent with the
  code exchange only.

MUSTs
- state, nonce and code_verifier MUST be new for every authorization request; state is checked
  on the callback (RFC 6749 §10.12), nonce in the ID token (OIDC Core §3.1.3.7).
- PKCE with S256 (RFC 7636, RFC 9700 §2.1.1).
- When the provider says it sends `iss` in authorization responses, the callback's `iss` MUST be
  the issuer (RFC 9207 §2.4): Authlib 1.2 does not check it, so this app does.
- The ID token MUST be verified (signature against the provider's JWKS, iss, aud, exp, nonce)
  before anything in it is trusted.
"""
import http.server
import json
import os
import sys
import time
import urllib.parse

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, JsonWebToken
from authlib.oidc.core import CodeIDToken

ISSUER = os.environ['ISSUER']
CLIENT_ID = os.environ['CLIENT_ID']
CLIENT_SECRET = os.environ['CLIENT_SECRET']
API = os.environ['API']
SCOPE = os.environ.get('SCOPE', 'openid profile email read:reports')
TOKEN_PARAMS = dict(urllib.parse.parse_qsl(os.environ.get('TOKEN_PARAMS', '')))


def say(line):
    print(line, flush=True)


def show(response):
    say(f'GET {response.url} -> {response.status_code} {response.text}')


# OIDC Discovery 1.0 §4: the provider's metadata, and its issuer must be the one we asked for.
metadata = requests.get(f'{ISSUER}/.well-known/openid-configuration', timeout=10).json()
if metadata['issuer'] != ISSUER:
    sys.exit(f"discovery names issuer {metadata['issuer']}, not {ISSUER}")
for scope in SCOPE.split():
    if scope not in metadata.get('scopes_supported', []):
        say(f'warning: scope {scope} is not in the provider\'s scopes_supported')


code_verifier = generate_token(48)
nonce = generate_token(24)
updated = []


def verify_id_token(token):
    jwks = JsonWebKey.import_key_set(requests.get(metadata['jwks_uri'], timeout=10).json())
    claims = JsonWebToken(metadata['id_token_signing_alg_values_supported']).decode(
        token['id_token'], jwks,
        claims_cls=CodeIDToken,
        claims_options={'iss': {'essential': True, 'value': ISSUER}, 'aud': {'essential': True, 'value': CLIENT_ID}},
        claims_params={'nonce': nonce, 'client_id': CLIENT_ID, 'access_token': token['access_token']},
    )
    claims.validate(leeway=5)
    return claims


def finish_sign_in(callback_url):
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(callback_url).query))
    if metadata.get('authorization_response_iss_parameter_supported') and params.get('iss') != ISSUER:
        raise ValueError(f"the callback's iss is {params.get('iss')!r}, not {ISSUER}")
    if 'error' in params:
        raise ValueError(f"{params['error']}: {params.get('error_description', '')}")
    # Authlib compares the callback's state with ours (MismatchingStateException otherwise).
    token = session.fetch_token(
        authorization_response=callback_url,
        state=state,
        code_verifier=code_verifier,
        **TOKEN_PARAMS,
    )
    return verify_id_token(token)


class CallbackHandler(http.server.BaseHTTPRequestHandler):
    """Receives the one redirect this sign-in waits for, and tells the browser how it went."""
    outcome = None

    def do_GET(self):
        if urllib.parse.urlsplit(self.path).path != '/callback':
            self.send_error(404)
            return
        try:
            claims = finish_sign_in(f'http://127.0.0.1:{self.server.server_port}{self.path}')
            CallbackHandler.outcome = claims
            status, page = 200, f"Signed in as {claims.get('name') or claims['sub']}. You can close this tab."
        except Exception as error:  # the browser is told, then the app stops
            CallbackHandler.outcome = error
            status, page = 400, f'Sign-in failed: {error}'
        self.send_response(status)
        self.send_header('content-type', 'text/plain; charset=utf-8')
        self.end_headers()
        self.wfile.write(page.encode())

    def log_message(self, *args):
        pass


listener = http.server.HTTPServer(('127.0.0.1', 0), CallbackHandler)
session = OAuth2Session(
    CLIENT_ID, CLIENT_SECRET,
    scope=SCOPE,
    redirect_uri=f'http://127.0.0.1:{listener.server_port}/callback',
    code_challenge_method='S256',
    # With token_endpoint set, Authlib refreshes an expired token before a request by itself,
    # and hands the new one to update_token (where an app would store it).
    token_endpoint=metadata['token_endpoint'],
    update_token=lambda token, refresh_token=None, access_token=None: updated.append(token),
)
authorization_url, state = session.create_authorization_url(
    metadata['authorization_endpoint'],
    code_verifier=code_verifier,
    nonce=nonce,
    # RFC 8707 §2.1: the API this app wants a token for, named on the authorization request.
    resource=API,
)
say('Open this URL in a browser on this machine to sign in:')
say(f'  {authorization_url}')
while CallbackHandler.outcome is None:
    listener.handle_request()
listener.server_close()
if isinstance(CallbackHandler.outcome, Exception):
    sys.exit(f'Sign-in failed: {CallbackHandler.outcome}')
id_claims = CallbackHandler.outcome

say(f'ID token verified: {json.dumps(dict(id_claims), sort_keys=True)}')
first_access_token = session.token['access_token']
show(session.get(f'{API}/me'))
show(session.get(metadata['userinfo_endpoint']))

# Later on, as a long-running app would: Authlib 1.2 refreshes a token once it has expired
# (later releases a minute before), on the first request after that.
time.sleep(max(0, session.token['expires_at'] - time.time()) + 1)
response = session.get(f'{API}/me')
if updated and updated[-1]['access_token'] != first_access_token:
    say(f"Authlib refreshed the access token (expires in {updated[-1].get('expires_in')} s)")
show(response)
show(session.get(metadata['userinfo_endpoint']))
