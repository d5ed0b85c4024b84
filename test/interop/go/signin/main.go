// Command signin signs a user in with Go's x/oauth2 and go-oidc: authorization code + PKCE,
// then keeps calling an API while x/oauth2 refreshes the access token by itself.
//
// A command-line app in the style of RFC 8252: it listens on a loopback port for its redirect,
// prints the URL to open in a browser, exchanges the code, verifies the ID token, calls the API
// and userinfo with that token, then calls the API through the refreshing client of
// oauth2.Config.Client, which renews a token within 10 seconds of its expiry before using it.
//
// Prerequisites
//   - Go with golang.org/x/oauth2 and github.com/coreos/go-oidc (Debian: golang-go,
//     golang-golang-x-oauth2-dev, golang-github-coreos-go-oidc-dev; GOPATH mode, offline).
//   - An OpenID provider at ISSUER (https anywhere but on this machine), and a client registered
//     there: CLIENT_ID / CLIENT_SECRET, redirect URI http://127.0.0.1/callback on any port
//     (RFC 8252 §7.3), grants authorization_code and refresh_token.
//   - API: the resource indicator of the API to call (RFC 8707), which is also its base URL;
//     SCOPE: what to ask for (default "openid profile email read:reports").
//   - TOKEN_PARAMS (optional): extra token-request parameters as a query string, sent with the
//     code exchange only.
//
// MUSTs
//   - state, nonce and code_verifier MUST be new for every authorization request; state is
//     checked on the callback (RFC 6749 §10.12), nonce in the ID token (OIDC Core §3.1.3.7):
//     go-oidc's verifier leaves the nonce to the caller.
//   - PKCE with S256 (RFC 7636, RFC 9700 §2.1.1): this x/oauth2 release has no PKCE helpers, so
//     the challenge goes in as authorization parameters and the verifier with the exchange.
//   - When the provider says it sends `iss` in authorization responses, the callback's `iss`
//     MUST be the issuer (RFC 9207 §2.4).
//   - The ID token MUST be verified (signature against the provider's JWKS, iss, aud, exp,
//     nonce, at_hash) before anything in it is trusted.
package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"

	oidc "github.com/coreos/go-oidc"
	"golang.org/x/oauth2"
)

func random() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		log.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func get(client *http.Client, target string) {
	response, err := client.Get(target)
	if err != nil {
		log.Fatalf("GET %s: %v", target, err)
	}
	defer response.Body.Close()
	body, _ := io.ReadAll(response.Body)
	fmt.Printf("GET %s -> %d %s\n", target, response.StatusCode, strings.TrimSpace(string(body)))
}

func env(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

func main() {
	log.SetFlags(0)
	ctx := context.Background()
	issuer, api := os.Getenv("ISSUER"), os.Getenv("API")
	scopes := strings.Fields(env("SCOPE", "openid profile email read:reports"))

	// OIDC Discovery 1.0 §4; NewProvider refuses metadata naming another issuer.
	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		log.Fatal(err)
	}
	var metadata struct {
		ScopesSupported []string `json:"scopes_supported"`
		IssParameter    bool     `json:"authorization_response_iss_parameter_supported"`
		UserinfoURL     string   `json:"userinfo_endpoint"`
	}
	if err := provider.Claims(&metadata); err != nil {
		log.Fatal(err)
	}
	for _, scope := range scopes {
		if !contains(metadata.ScopesSupported, scope) {
			fmt.Printf("warning: scope %s is not in the provider's scopes_supported\n", scope)
		}
	}

	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	config := oauth2.Config{
		ClientID:     os.Getenv("CLIENT_ID"),
		ClientSecret: os.Getenv("CLIENT_SECRET"),
		Endpoint:     provider.Endpoint(),
		RedirectURL:  fmt.Sprintf("http://%s/callback", listener.Addr()),
		Scopes:       scopes,
	}
	verifier := provider.Verifier(&oidc.Config{ClientID: config.ClientID})

	state, nonce, codeVerifier := random(), random(), random()
	challenge := sha256.Sum256([]byte(codeVerifier))
	authorizationURL := config.AuthCodeURL(state,
		oauth2.SetAuthURLParam("code_challenge", base64.RawURLEncoding.EncodeToString(challenge[:])),
		oauth2.SetAuthURLParam("code_challenge_method", "S256"),
		oidc.Nonce(nonce),
		// RFC 8707 §2.1: the API this app wants a token for, named on the authorization request.
		oauth2.SetAuthURLParam("resource", api),
	)
	fmt.Printf("Open this URL in a browser on this machine to sign in:\n  %s\n", authorizationURL)

	exchangeOptions := []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("code_verifier", codeVerifier)}
	extra, err := url.ParseQuery(os.Getenv("TOKEN_PARAMS"))
	if err != nil {
		log.Fatal(err)
	}
	for name := range extra {
		exchangeOptions = append(exchangeOptions, oauth2.SetAuthURLParam(name, extra.Get(name)))
	}

	type outcome struct {
		token *oauth2.Token
		err   error
	}
	done := make(chan outcome, 1)
	finish := func(query url.Values) (*oauth2.Token, *oidc.IDToken, error) {
		if query.Get("state") != state {
			return nil, nil, errors.New("the callback's state is not the one this app sent")
		}
		if metadata.IssParameter && query.Get("iss") != issuer {
			return nil, nil, fmt.Errorf("the callback's iss is %q, not %s", query.Get("iss"), issuer)
		}
		if query.Get("error") != "" {
			return nil, nil, fmt.Errorf("%s: %s", query.Get("error"), query.Get("error_description"))
		}
		token, err := config.Exchange(ctx, query.Get("code"), exchangeOptions...)
		if err != nil {
			return nil, nil, err
		}
		rawIDToken, ok := token.Extra("id_token").(string)
		if !ok {
			return nil, nil, errors.New("the token response has no id_token")
		}
		idToken, err := verifier.Verify(ctx, rawIDToken)
		if err != nil {
			return nil, nil, err
		}
		if idToken.Nonce != nonce {
			return nil, nil, errors.New("the ID token's nonce is not the one this app sent")
		}
		if idToken.AccessTokenHash != "" {
			if err := idToken.VerifyAccessToken(token.AccessToken); err != nil {
				return nil, nil, err
			}
		}
		return token, idToken, nil
	}
	http.HandleFunc("/callback", func(w http.ResponseWriter, r *http.Request) {
		token, idToken, err := finish(r.URL.Query())
		w.Header().Set("content-type", "text/plain; charset=utf-8")
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, "Sign-in failed: %v", err)
			done <- outcome{err: err}
			return
		}
		var claims map[string]interface{}
		if err := idToken.Claims(&claims); err != nil {
			log.Fatal(err)
		}
		printed, _ := json.Marshal(claims)
		fmt.Printf("ID token verified: %s\n", printed)
		name, _ := claims["name"].(string)
		if name == "" {
			name = idToken.Subject
		}
		fmt.Fprintf(w, "Signed in as %s. You can close this tab.", name)
		done <- outcome{token: token}
	})
	go http.Serve(listener, nil)
	result := <-done
	listener.Close()
	if result.err != nil {
		log.Fatalf("Sign-in failed: %v", result.err)
	}

	// The token as the code exchange returned it, never refreshed.
	fixed := oauth2.StaticTokenSource(result.token)
	get(oauth2.NewClient(ctx, fixed), api+"/me")
	get(oauth2.NewClient(ctx, fixed), metadata.UserinfoURL)

	// What an app keeps using: a client that refreshes the token when it is about to expire.
	tokens := &announcedRefreshes{source: config.TokenSource(ctx, result.token), current: result.token.AccessToken}
	client := oauth2.NewClient(ctx, tokens)
	get(client, api+"/me")
	get(client, metadata.UserinfoURL)
}

// announcedRefreshes says when the token source it wraps hands out a new access token.
type announcedRefreshes struct {
	source  oauth2.TokenSource
	current string
}

func (a *announcedRefreshes) Token() (*oauth2.Token, error) {
	token, err := a.source.Token()
	if err == nil && token.AccessToken != a.current {
		a.current = token.AccessToken
		fmt.Printf("x/oauth2 refreshed the access token (expires %s)\n", token.Expiry.Format("15:04:05"))
	}
	return token, err
}

func contains(values []string, value string) bool {
	for _, candidate := range values {
		if candidate == value {
			return true
		}
	}
	return false
}
