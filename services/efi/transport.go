package efi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"syscall"
	"time"
)

func (c *Client) observe(f Family, route string, status int, start time.Time) {
	if c.cfg.Observe != nil {
		c.cfg.Observe(f, route, status, time.Since(start))
	}
}

// call sends one API request: the family's bearer token, a deadline, one
// token refresh and retry on 401, and retries with backoff only where a
// repeat cannot create a second charge. route is the template for metrics
// ("/v1/charge/:id"); path is the real path.
func (c *Client) call(ctx context.Context, f Family, method, route, path string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	refreshed := false
	for attempt := 0; ; attempt++ {
		status, err := c.once(ctx, f, method, route, path, body, out)
		var apiErr *Error
		switch {
		case err == nil:
			return nil
		case errors.As(err, &apiErr) && status == http.StatusUnauthorized && !refreshed && !apiErr.auth:
			// The token expired early or was revoked: one new token, one retry.
			refreshed = true
			attempt--
			continue
		case attempt < c.cfg.MaxRetries && c.retryable(method, status, err):
			wait := c.cfg.RetryWait * time.Duration(1<<attempt)
			wait += time.Duration(rand.Int64N(int64(wait)/2 + 1)) // jitter
			c.cfg.Logger.InfoContext(ctx, "efí api call retried", "family", f, "route", route, "status", status, "wait", wait)
			select {
			case <-ctx.Done():
				return err
			case <-time.After(wait):
			}
			continue
		}
		return err
	}
}

// retryable: GET, PUT and DELETE may be repeated on a network failure, a
// 429 or a 5xx; a POST only when it never reached the server.
func (c *Client) retryable(method string, status int, err error) bool {
	if method == http.MethodPost {
		return neverSent(err)
	}
	if status == 0 {
		return errors.Is(err, ErrNetwork) || errors.Is(err, ErrTimeout)
	}
	return status == http.StatusTooManyRequests || status >= 500
}

// neverSent reports a failure before the request left: the connection was
// refused or could not be dialled.
func neverSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

func (c *Client) once(ctx context.Context, f Family, method, route, path string, body []byte, out any) (int, error) {
	tok, src, err := c.token(f)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return e.Status, err
		}
		return 0, transportError(err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base.of(f)+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("api-sdk", "efi-portal-go")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		c.observe(f, route, 0, start)
		if os.IsTimeout(err) || errors.Is(err, context.DeadlineExceeded) {
			return 0, transportError(err)
		}
		return 0, transportError(err)
	}
	defer resp.Body.Close()
	c.observe(f, route, resp.StatusCode, start)
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return resp.StatusCode, transportError(err)
	}
	if resp.StatusCode == http.StatusUnauthorized {
		c.tokens[f].invalidate(src)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, decodeError(resp.StatusCode, data)
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, &Error{Status: resp.StatusCode, Slug: "invalid_response", Description: "unexpected response body: " + err.Error()}
		}
	}
	return resp.StatusCode, nil
}
