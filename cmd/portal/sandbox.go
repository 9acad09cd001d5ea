package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/efiportal/portal/sandbox"
)

// embeddedSandbox is the Efí sandbox the portal runs in-process and
// reaches over HTTP on loopback.
type embeddedSandbox struct {
	server *sandbox.Server
	http   *http.Server
	url    string
}

func startSandbox(ctx context.Context, cfg config, log *slog.Logger) (*embeddedSandbox, error) {
	sb, err := sandbox.New(ctx, sandbox.Config{DBPath: filepath.Join(cfg.DataDir, "sandbox.db"), Logger: log})
	if err != nil {
		return nil, fmt.Errorf("embedded sandbox: %w", err)
	}
	l, err := net.Listen("tcp", cfg.SandboxAddr)
	if err != nil {
		sb.Close()
		return nil, fmt.Errorf("embedded sandbox: listen on %s: %w", cfg.SandboxAddr, err)
	}
	e := &embeddedSandbox{server: sb, url: "http://" + l.Addr().String(),
		http: &http.Server{Handler: sb.Handler(), ReadHeaderTimeout: 10 * time.Second}}
	sb.SetPublicURL(e.url)
	go func() {
		if err := e.http.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("embedded sandbox stopped", "err", err)
		}
	}()
	return e, nil
}

func (e *embeddedSandbox) shutdown(ctx context.Context) { e.http.Shutdown(ctx) }

func (e *embeddedSandbox) close() {
	e.http.Close()
	e.server.Close()
}

func ptr[T any](v T) *T { return &v }
