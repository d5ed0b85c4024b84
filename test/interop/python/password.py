"""A first-party app that collects the user's password itself, with Authlib: the resource owner
password credentials grant.

RFC 9700 §2.4: this grant MUST NOT be used. It is here because legacy apps still do, and a test
identity provider has to serve them: prefer the authorization code flow (sign_in.py).

Prerequisites
- Debian's /usr/bin/python3 with python3-authlib and python3-requests (Authlib 1.2).
- An OpenID provider at ISSUER, and a confidential client registered for the password grant:
  CLIENT_ID / CLIENT_SECRET.
- The user's credentials in OAUTH_USERNAME / OAUTH_PASSWORD; API: the resource indicator of the
  API (RFC 8707), which is also its base URL; SCOPE (default "openid read:reports").

MUSTs
- Only a client the user trusts with the password, and that authenticates itself, may use this
  grant (RFC 6749 §4.3); the password is sent once and never stored.
- The ID token MUST be verified (signature against the provider's JWKS, iss, aud, exp) before
  anything in it is trusted; there is no nonce without an authorization request.
"""
import json
import os
import sys

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, JsonWebToken
from authlib.oidc.core import IDToken

ISSUER = os.environ['ISSUER']
CLIENT_ID = os.environ['CLIENT_ID']
API = os.environ['API']

metadata = requests.get(f'{ISSUER}/.well-known/openid-configuration', timeout=10).json()
if metadata['issuer'] != ISSUER:
    sys.exit(f"discovery names issuer {metadata['issuer']}, not {ISSUER}")

session = OAuth2Session(
    CLIENT_ID, os.environ['CLIENT_SECRET'],
    scope=os.environ.get('SCOPE', 'openid read:reports'),
    token_endpoint=metadata['token_endpoint'],
)
token = session.fetch_token(username=os.environ['OAUTH_USERNAME'], password=os.environ['OAUTH_PASSWORD'])

jwks = JsonWebKey.import_key_set(requests.get(metadata['jwks_uri'], timeout=10).json())
claims = JsonWebToken(metadata['id_token_signing_alg_values_supported']).decode(
    token['id_token'], jwks,
    claims_cls=IDToken,
    claims_options={'iss': {'essential': True, 'value': ISSUER}, 'aud': {'essential': True, 'value': CLIENT_ID}},
    claims_params={'client_id': CLIENT_ID},
)
claims.validate(leeway=5)
print(f'ID token verified: {json.dumps(dict(claims), sort_keys=True)}', flush=True)
response = session.get(f'{API}/me')
print(f'GET {response.url} -> {response.status_code} {response.text}', flush=True)
