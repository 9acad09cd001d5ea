// Command portal runs the Efí portal: the web UI, its background workers
// and, by default, the embedded Efí sandbox.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
	_ "time/tzdata" // dates are shown in America/Sao_Paulo even on a bare image

	"github.com/efiportal/portal/db"
	"github.com/efiportal/portal/web"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "portal:", err)
		os.Exit(1)
	}
}

// run starts the portal and blocks until ctx is cancelled, then shuts down
// the HTTP server, then the background workers, then the database.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) > 0 && args[0] == "seed" {
		return runSeed(ctx, args[1:], getenv, stdout)
	}
	cfg, err := parseConfig(args, getenv, stdout)
	if err != nil {
		return err
	}
	log := cfg.logger(stdout)

	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	database, err := db.Open(ctx, filepath.Join(cfg.DataDir, "portal.db"), db.Options{})
	if err != nil {
		return err
	}
	defer database.Close()

	l, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	baseURL := cfg.baseURL(l.Addr().String())

	srv, err := web.New(web.Config{
		BaseURL:        baseURL,
		TrustedProxies: cfg.TrustedProxies,
		Embedded:       true,
		Logger:         log,
	}, web.Deps{DB: database})
	if err != nil {
		l.Close()
		return err
	}

	workers := newGroup(ctx)

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(l) }()
	log.Info("portal started", "url", baseURL, "data_dir", cfg.DataDir)
	fmt.Fprintf(stdout, "\n  Efí portal ready: open %s\n\n", baseURL)

	select {
	case <-ctx.Done():
	case err := <-serveErr:
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Error("http shutdown", "err", err)
	}
	workers.stop()
	log.Info("stopped")
	return nil
}
