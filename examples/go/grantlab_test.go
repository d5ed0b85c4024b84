// A Go suite for an app, against Grant Lab through its HTTP control plane only: tokens and
// clients added over HTTP, expiry without waiting, a browserless sign-in with x/oauth2, faults.
//
// Prerequisites: Go, golang.org/x/oauth2 (Debian: golang-go golang-golang-x-oauth2-dev, then
// GO111MODULE=off GOPATH=/usr/share/gocode go test .), and Grant Lab: started here as a process
// (GRANT_LAB_COMMAND, default "npx grant-lab"), or already running, e.g. as the Docker image
// (GRANT_LAB_ISSUER and GRANT_LAB_CONTROL_TOKEN).
package grantlab_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

const callback = "http://localhost:8766/callback"

func claimsOf(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	claims := map[string]any{}
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

func callAPI(t *testing.T, token string) int {
	t.Helper()
	request, _ := http.NewRequest("GET", lab.issuer+"/api/reports", nil)
	request.Header.Set("Authorization", "Bearer "+token)
	response, err := http.DefaultClient.Do(request)
	if err != nil {
		t.Fatal(err)
	}
	response.Body.Close()
	return response.StatusCode
}

func TestAMintedTokenExpiresWhenTheClockPassesIt(t *testing.T) {
	defer lab.reset(t)
	var minted struct {
		AccessToken string `json:"access_token"`
	}
	lab.control(t, "POST", "/tokens", map[string]any{
		"type": "access_token", "sub": "bob", "client_id": "web-app", "scope": "read:reports", "expires_in": 60,
	}, &minted)
	if status := callAPI(t, minted.AccessToken); status != 200 {
		t.Fatalf("the API answered %d to a fresh token", status)
	}
	lab.control(t, "POST", "/clock", map[string]any{"offsetSeconds": 61}, nil)
	if status := callAPI(t, minted.AccessToken); status != 401 {
		t.Fatalf("the API answered %d to a token past its expiry", status)
	}
}

func TestAClientAddedAtRuntimeGetsTokensWithXOAuth2(t *testing.T) {
	defer lab.reset(t)
	lab.control(t, "POST", "/clients", map[string]any{
		"client_id": "go-job", "client_secret": "go-job-secret", "grant_types": []string{"client_credentials"},
		"response_types": []string{}, "scope": "read:reports",
	}, nil)
	config := clientcredentials.Config{ClientID: "go-job", ClientSecret: "go-job-secret", TokenURL: lab.issuer + "/token", Scopes: []string{"read:reports"}}
	token, err := config.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if status := callAPI(t, token.AccessToken); status != 200 {
		t.Fatalf("the API answered %d", status)
	}
	var recorded struct {
		Requests []struct {
			Params map[string]any `json:"params"`
		} `json:"requests"`
	}
	lab.control(t, "GET", "/requests?path=/token&client_id=go-job", nil, &recorded)
	if len(recorded.Requests) != 1 || recorded.Requests[0].Params["grant_type"] != "client_credentials" {
		t.Fatalf("recorded: %+v", recorded.Requests)
	}
}

func TestAHeadlessSignInNeedsNoPage(t *testing.T) {
	defer lab.reset(t)
	lab.control(t, "POST", "/clients", map[string]any{
		"client_id": "go-web", "client_secret": "go-web-secret", "redirect_uris": []string{callback},
		"grant_types": []string{"authorization_code"}, "response_types": []string{"code"}, "headless_sign_in": true,
	}, nil)
	config := oauth2.Config{
		ClientID: "go-web", ClientSecret: "go-web-secret", RedirectURL: callback, Scopes: []string{"openid", "profile"},
		Endpoint: oauth2.Endpoint{AuthURL: lab.issuer + "/authorize", TokenURL: lab.issuer + "/token"},
	}
	// RFC 7636: a fresh verifier for every authorization request.
	raw := make([]byte, 32)
	rand.Read(raw)
	verifier := base64.RawURLEncoding.EncodeToString(raw)
	digest := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(digest[:])
	next := config.AuthCodeURL("state-1", oauth2.SetAuthURLParam("login_hint", "alice"), oauth2.SetAuthURLParam("nonce", "nonce-1"),
		oauth2.SetAuthURLParam("code_challenge", challenge), oauth2.SetAuthURLParam("code_challenge_method", "S256"))

	browser := &http.Client{Jar: newJar(), CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for !strings.HasPrefix(next, callback) {
		response, err := browser.Get(next)
		if err != nil {
			t.Fatal(err)
		}
		response.Body.Close()
		if response.StatusCode != 302 && response.StatusCode != 303 {
			t.Fatalf("a page (%d) instead of a redirect at %s", response.StatusCode, next)
		}
		location, _ := response.Location()
		next = location.String()
	}
	answer, _ := url.Parse(next)
	token, err := config.Exchange(context.Background(), answer.Query().Get("code"), oauth2.SetAuthURLParam("code_verifier", verifier))
	if err != nil {
		t.Fatal(err)
	}
	idToken := claimsOf(t, token.Extra("id_token").(string))
	if idToken["sub"] != "alice" || idToken["nonce"] != "nonce-1" {
		t.Fatalf("ID token claims: %v", idToken)
	}
}

func TestAScenarioFailsTheNextTokenRequest(t *testing.T) {
	defer lab.reset(t)
	lab.control(t, "POST", "/scenarios", map[string]any{
		"match":   map[string]any{"path": "/token", "client_id": "m2m-cron"},
		"respond": map[string]any{"status": 400, "body": map[string]any{"error": "invalid_client"}},
		"times":   1,
	}, nil)
	config := clientcredentials.Config{ClientID: "m2m-cron", ClientSecret: "m2m-cron-secret", TokenURL: lab.issuer + "/token"}
	if _, err := config.Token(context.Background()); err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Fatalf("expected the scenario's invalid_client, got %v", err)
	}
	if _, err := config.Token(context.Background()); err != nil {
		t.Fatalf("the scenario was for one request only: %v", err)
	}
}
