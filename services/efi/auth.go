package efi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// expiryMargin is how long before its expiry a token is replaced, so a
// call never leaves with a token that dies in flight.
const expiryMargin = 30 * time.Second

// tokenSource holds one family's token. golang.org/x/oauth2's
// ReuseTokenSource does the reuse: callers share the cached token, and
// concurrent callers wait on one refresh.
type tokenSource struct {
	c      *Client
	family Family
	mu     sync.Mutex
	reuse  oauth2.TokenSource
}

func (t *tokenSource) current() oauth2.TokenSource {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.reuse == nil {
		t.reuse = oauth2.ReuseTokenSourceWithExpiry(nil, fetcher{t}, expiryMargin)
	}
	return t.reuse
}

// invalidate drops the cached token after the API refused it (401).
func (t *tokenSource) invalidate(stale oauth2.TokenSource) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.reuse == stale {
		t.reuse = nil
	}
}

// fetcher asks the family's token route for a new token.
type fetcher struct{ t *tokenSource }

func (f fetcher) Token() (*oauth2.Token, error) {
	return f.t.c.fetchToken(context.Background(), f.t.family)
}

func (c *Client) fetchToken(ctx context.Context, f Family) (*oauth2.Token, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	url := c.base.of(f) + tokenPath(f)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader([]byte(`{"grant_type":"client_credentials"}`)))
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(c.cfg.ClientID, c.cfg.ClientSecret)
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		c.observe(f, tokenPath(f), 0, start)
		return nil, transportError(err)
	}
	defer resp.Body.Close()
	c.observe(f, tokenPath(f), resp.StatusCode, start)
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		e := decodeError(resp.StatusCode, body)
		e.auth = true
		return nil, e
	}
	var v struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
		Scope       string `json:"scope"`
	}
	if err := json.Unmarshal(body, &v); err != nil || v.AccessToken == "" {
		return nil, &Error{Status: resp.StatusCode, Slug: "invalid_token_response", Description: "the token route answered without a token"}
	}
	tok := &oauth2.Token{AccessToken: v.AccessToken, TokenType: v.TokenType, Expiry: time.Now().Add(time.Duration(v.ExpiresIn) * time.Second)}
	return tok.WithExtra(map[string]any{"scope": v.Scope}), nil
}

// token returns the family's current token and the source it came from.
func (c *Client) token(f Family) (*oauth2.Token, oauth2.TokenSource, error) {
	src := c.tokens[f].current()
	tok, err := src.Token()
	return tok, src, err
}

// Scopes asks each family for a token and reports the scopes granted; the
// settings page's "test connection" shows them. Charges tokens carry no
// scope list: a granted charges token is reported as ["charge"]. Families
// that fail are reported in the error map.
func (c *Client) Scopes(ctx context.Context, families ...Family) (map[Family][]string, map[Family]error) {
	ok, failed := map[Family][]string{}, map[Family]error{}
	for _, f := range families {
		tok, _, err := c.token(f)
		if err != nil {
			failed[f] = err
			continue
		}
		scope, _ := tok.Extra("scope").(string)
		if scope == "" && f == Charges {
			scope = "charge"
		}
		ok[f] = strings.Fields(scope)
	}
	return ok, failed
}
