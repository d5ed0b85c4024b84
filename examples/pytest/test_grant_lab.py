"""A suite for an app, against Grant Lab: tokens, users and clients added over HTTP, expiry
without waiting, a browserless sign-in, what the app sent, faults and key rotation."""
import base64
import hashlib
import json
import secrets
from urllib.parse import parse_qs, urlencode, urlparse

import requests

CALLBACK = "http://localhost:8765/callback"


def claims_of(jwt):
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_a_minted_token_reaches_the_api_until_the_clock_passes_its_expiry(lab):
    token = lab.control("POST", "/tokens", {
        "type": "access_token", "sub": "alice", "client_id": "web-app", "scope": "read:reports", "expires_in": 300,
    })["access_token"]
    assert claims_of(token)["sub"] == "alice"
    api = f"{lab.issuer}/api/reports"
    assert requests.get(api, headers={"Authorization": f"Bearer {token}"}).status_code == 200

    lab.control("POST", "/clock", {"offsetSeconds": 301})
    expired = requests.get(api, headers={"Authorization": f"Bearer {token}"})
    assert expired.status_code == 401
    assert 'error="invalid_token"' in expired.headers["WWW-Authenticate"]


def test_a_client_added_at_runtime_gets_tokens_and_the_request_log_shows_it_without_its_secret(lab):
    lab.control("POST", "/clients", {
        "client_id": "py-job", "client_secret": "py-job-secret",
        "grant_types": ["client_credentials"], "response_types": [], "scope": "read:reports",
    }, expect=(201,))
    response = requests.post(f"{lab.issuer}/token", data={
        "grant_type": "client_credentials", "scope": "read:reports",
    }, auth=("py-job", "py-job-secret"))
    assert response.status_code == 200, response.text

    recorded = lab.control("GET", "/requests?path=/token&client_id=py-job")["requests"]
    assert [r["params"]["grant_type"] for r in recorded] == ["client_credentials"]
    assert recorded[0]["outcome"]["status"] == 200
    assert "py-job-secret" not in json.dumps(recorded)


def test_a_headless_sign_in_goes_from_authorize_to_the_callback_without_a_page(lab):
    lab.control("POST", "/clients", {
        "client_id": "py-web", "client_secret": "py-web-secret", "redirect_uris": [CALLBACK],
        "grant_types": ["authorization_code"], "response_types": ["code"], "headless_sign_in": True,
    }, expect=(201,))
    lab.control("PUT", "/users/carol", {"password": "carol-password", "claims": {"name": "Carol"}}, expect=(201,))
    lab.control("POST", "/sign-ins", {"username": "carol", "claims": {"roles": ["auditor"]}}, expect=(201,))

    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    browser = requests.Session()
    url = f"{lab.issuer}/authorize?" + urlencode({
        "client_id": "py-web", "response_type": "code", "redirect_uri": CALLBACK, "scope": "openid profile",
        "state": "s-1", "nonce": "n-1", "code_challenge": challenge, "code_challenge_method": "S256",
    })
    while not url.startswith(CALLBACK):
        response = browser.get(url, allow_redirects=False)
        assert response.status_code in (302, 303), f"a page instead of a redirect: {response.status_code} {url}"
        url = requests.compat.urljoin(url, response.headers["Location"])
    query = parse_qs(urlparse(url).query)
    assert query["state"] == ["s-1"]

    tokens = requests.post(f"{lab.issuer}/token", data={
        "grant_type": "authorization_code", "code": query["code"][0], "redirect_uri": CALLBACK, "code_verifier": verifier,
    }, auth=("py-web", "py-web-secret")).json()
    id_token = claims_of(tokens["id_token"])
    assert (id_token["sub"], id_token["nonce"], id_token["roles"]) == ("carol", "n-1", ["auditor"])


def test_a_scenario_fails_the_next_token_request_once(lab):
    lab.control("POST", "/scenarios", {
        "match": {"path": "/token", "client_id": "m2m-cron"},
        "respond": {"status": 503, "body": {"error": "temporarily_unavailable"}}, "times": 1,
    }, expect=(201,))
    ask = lambda: requests.post(f"{lab.issuer}/token", data={"grant_type": "client_credentials"}, auth=("m2m-cron", "m2m-cron-secret"))
    assert ask().status_code == 503
    assert ask().status_code == 200


def test_key_rotation_publishes_the_new_key_beside_the_previous_until_it_is_retired(lab):
    before = {key["kid"] for key in requests.get(f"{lab.issuer}/jwks").json()["keys"]}
    keys = lab.control("POST", "/keys/rotate")["keys"]
    current = {key["kid"] for key in keys if key["status"] == "current"}
    assert {key["kid"] for key in requests.get(f"{lab.issuer}/jwks").json()["keys"]} == before | current
    lab.control("POST", "/keys/retire")
    assert {key["kid"] for key in requests.get(f"{lab.issuer}/jwks").json()["keys"]} == current


def test_the_control_plane_refuses_a_wrong_token(lab):
    response = requests.post(f"{lab.issuer}/_lab/reset", headers={"Authorization": "Bearer not-the-control-token"})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"
