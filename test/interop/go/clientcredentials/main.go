// Command clientcredentials calls an API on its own behalf with Go's x/oauth2: the client
// credentials grant, from golang.org/x/oauth2/clientcredentials.
//
// Prerequisites
//   - Go with golang.org/x/oauth2 and github.com/coreos/go-oidc (Debian: golang-go,
//     golang-golang-x-oauth2-dev, golang-github-coreos-go-oidc-dev; GOPATH mode, offline).
//   - An authorization server at ISSUER with discovery, and a confidential client registered for
//     client_credentials: CLIENT_ID / CLIENT_SECRET.
//   - API: the resource indicator of the API (RFC 8707), which is also its base URL; SCOPE: the
//     scope to ask for (default "read:reports").
//
// MUSTs
//   - Only a confidential client may use this grant (RFC 6749 §4.4): the secret stays on the
//     machine.
//   - No refresh token comes back (§4.4.3): the client of clientcredentials.Config asks for a
//     new token when the old one is about to expire, with the same parameters.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/url"
	"os"
	"strings"

	oidc "github.com/coreos/go-oidc"
	"golang.org/x/oauth2/clientcredentials"
)

func main() {
	log.SetFlags(0)
	ctx := context.Background()
	issuer, api := os.Getenv("ISSUER"), os.Getenv("API")
	scope := os.Getenv("SCOPE")
	if scope == "" {
		scope = "read:reports"
	}

	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		log.Fatal(err)
	}
	config := clientcredentials.Config{
		ClientID:     os.Getenv("CLIENT_ID"),
		ClientSecret: os.Getenv("CLIENT_SECRET"),
		TokenURL:     provider.Endpoint().TokenURL,
		Scopes:       strings.Fields(scope),
		// RFC 8707 §2.2: the API the token is for.
		EndpointParams: url.Values{"resource": {api}},
	}
	token, err := config.Token(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("Got a %s token for scope %v, expires %s\n", token.TokenType, token.Extra("scope"), token.Expiry.Format("15:04:05"))

	target := api + "/reports"
	response, err := config.Client(ctx).Get(target)
	if err != nil {
		log.Fatal(err)
	}
	defer response.Body.Close()
	body, _ := io.ReadAll(response.Body)
	fmt.Printf("GET %s -> %d %s\n", target, response.StatusCode, strings.TrimSpace(string(body)))
}
