// Command password signs a user in with Go's x/oauth2 from a password the app collected itself:
// the resource owner password credentials grant, then an API call.
//
// RFC 9700 §2.4: this grant MUST NOT be used. It is here because legacy apps still do, and a
// test identity provider has to serve them: prefer the authorization code flow (../signin).
//
// Prerequisites
//   - Go with golang.org/x/oauth2 and github.com/coreos/go-oidc (Debian: golang-go,
//     golang-golang-x-oauth2-dev, golang-github-coreos-go-oidc-dev; GOPATH mode, offline).
//   - An OpenID provider at ISSUER, and a confidential client registered for the password
//     grant: CLIENT_ID / CLIENT_SECRET.
//   - The user's credentials in OAUTH_USERNAME / OAUTH_PASSWORD; API: the resource indicator of
//     the API (RFC 8707), which is also its base URL; SCOPE (default "openid read:reports").
//
// MUSTs
//   - Only a client the user trusts with the password, and that authenticates itself, may use
//     this grant (RFC 6749 §4.3); the password is sent once and never stored.
//   - The ID token MUST be verified (signature against the provider's JWKS, iss, aud, exp)
//     before anything in it is trusted; there is no nonce without an authorization request.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"
	"strings"

	oidc "github.com/coreos/go-oidc"
	"golang.org/x/oauth2"
)

func main() {
	log.SetFlags(0)
	ctx := context.Background()
	issuer, api := os.Getenv("ISSUER"), os.Getenv("API")
	scope := os.Getenv("SCOPE")
	if scope == "" {
		scope = "openid read:reports"
	}

	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		log.Fatal(err)
	}
	config := oauth2.Config{
		ClientID:     os.Getenv("CLIENT_ID"),
		ClientSecret: os.Getenv("CLIENT_SECRET"),
		Endpoint:     provider.Endpoint(),
		Scopes:       strings.Fields(scope),
	}
	token, err := config.PasswordCredentialsToken(ctx, os.Getenv("OAUTH_USERNAME"), os.Getenv("OAUTH_PASSWORD"))
	if err != nil {
		log.Fatal(err)
	}

	rawIDToken, ok := token.Extra("id_token").(string)
	if !ok {
		log.Fatal("the token response has no id_token")
	}
	idToken, err := provider.Verifier(&oidc.Config{ClientID: config.ClientID}).Verify(ctx, rawIDToken)
	if err != nil {
		log.Fatal(err)
	}
	var claims map[string]interface{}
	if err := idToken.Claims(&claims); err != nil {
		log.Fatal(err)
	}
	printed, _ := json.Marshal(claims)
	fmt.Printf("ID token verified: %s\n", printed)

	target := api + "/me"
	response, err := config.Client(ctx, token).Get(target)
	if err != nil {
		log.Fatal(err)
	}
	defer response.Body.Close()
	body, _ := io.ReadAll(response.Body)
	fmt.Printf("GET %s -> %d %s\n", target, response.StatusCode, strings.TrimSpace(string(body)))
}
