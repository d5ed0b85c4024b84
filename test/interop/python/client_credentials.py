"""A machine calling an API on its own behalf with Authlib: the client credentials grant.

Prerequisites
- Debian's /usr/bin/python3 with python3-authlib and python3-requests (Authlib 1.2).
- An authorization server at ISSUER with OAuth metadata (RFC 8414; OpenID discovery serves the
  same fields), and a confidential client registered for client_credentials: CLIENT_ID /
  CLIENT_SECRET.
- API: the resource indicator of the API (RFC 8707), which is also its base URL; SCOPE: the
  scope to ask for (default "read:reports").

MUSTs
- Only a confidential client may use this grant (RFC 6749 §4.4): the secret stays on the machine.
- No refresh token comes back (§4.4.3): when the token expires, ask for a new one; Authlib does
  that by itself on the next request when the session's grant_type is client_credentials.
"""
import os
import sys

import requests
from authlib.integrations.requests_client import OAuth2Session

ISSUER = os.environ['ISSUER']
API = os.environ['API']

metadata = requests.get(f'{ISSUER}/.well-known/openid-configuration', timeout=10).json()
if metadata['issuer'] != ISSUER:
    sys.exit(f"discovery names issuer {metadata['issuer']}, not {ISSUER}")

session = OAuth2Session(
    os.environ['CLIENT_ID'], os.environ['CLIENT_SECRET'],
    scope=os.environ.get('SCOPE', 'read:reports'),
    token_endpoint=metadata['token_endpoint'],
    grant_type='client_credentials',
)
token = session.fetch_token(resource=API)
print(f"Got a {token['token_type']} token for scope {token.get('scope')}, expires in {token['expires_in']} s", flush=True)
response = session.get(f'{API}/reports')
print(f'GET {response.url} -> {response.status_code} {response.text}', flush=True)
