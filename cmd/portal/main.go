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
	"github.com/efiportal/portal/sandbox"
	"github.com/efiportal/portal/services/auth"
	"github.com/efiportal/portal/services/charges"
	"github.com/efiportal/portal/services/efi"
	"github.com/efiportal/portal/services/secrets"
	"github.com/efiportal/portal/services/settings"
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
	if len(args) > 0 {
		switch args[0] {
		case "seed":
			return runSeed(ctx, args[1:], getenv, stdout)
		case "users", "orgs":
			return runAdmin(ctx, args, getenv, os.Stdin, stdout)
		case "secrets":
			return runRotate(ctx, args[1:], getenv, stdout)
		}
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
	defer l.Close()
	baseURL := cfg.baseURL(l.Addr().String())
	metrics := web.NewMetrics(database)

	// The embedded Efí sandbox: its own state file, reached over HTTP on
	// loopback exactly as the real API is reached.
	sb, err := startSandbox(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer sb.close()
	observe := func(f efi.Family, route string, status int, d time.Duration) {
		metrics.ObserveAPICall(string(f), route, status, d)
	}
	sbClient, err := efi.New(efi.Config{
		BaseURLs: ptr(efi.SandboxBaseURLs(sb.url)), ClientID: sandbox.DefaultClientID, ClientSecret: sandbox.DefaultClientSecret,
		Logger: log, Observe: observe,
	})
	if err != nil {
		return err
	}
	box, created, err := secrets.Load(cfg.DataDir, cfg.SecretKey, cfg.SecretKeysOld)
	if err != nil {
		return err
	}
	if created {
		log.Warn("generated a master key for secrets at rest; back it up with the database", "path", filepath.Join(cfg.DataDir, "master.key"))
	}
	settingsSvc := settings.New(database, box, sbClient, observe, log)
	chargeSvc := charges.New(database, charges.ClientsFunc(func(ctx context.Context, orgID int64) (charges.API, error) {
		c, err := settingsSvc.Client(ctx, orgID)
		if err != nil {
			return nil, err
		}
		return charges.EfiAPI{C: c}, nil
	}), charges.Config{BaseURL: baseURL, Logger: log, Audit: auth.Audit})

	authSvc := auth.New(database, auth.Config{IdleTimeout: cfg.SessionIdle, MaxLifetime: cfg.SessionMax, Logger: log})
	email, generated, err := authSvc.Bootstrap(ctx, cfg.AdminEmail, cfg.AdminPassword)
	if err != nil {
		return fmt.Errorf("first staff user: %w", err)
	}
	if email != "" {
		log.Info("created the first staff user", "email", email)
		if generated != "" {
			// Printed once, to the console only: it is not kept anywhere in clear.
			fmt.Fprintf(stdout, "\n  First staff user: %s\n  Password (shown once, change it): %s\n\n", email, generated)
		}
	}

	if cfg.Demo {
		if err := authSvc.SeedDemo(ctx); err != nil {
			return fmt.Errorf("demo accounts: %w", err)
		}
		log.Warn("demo mode: demo accounts exist; never use it in production", "merchant", auth.DemoMerchantEmail, "partner", auth.DemoPartnerEmail)
	}

	srv, err := web.New(web.Config{
		BaseURL:        baseURL,
		TrustedProxies: cfg.TrustedProxies,
		Embedded:       true,
		SandboxURL:     sb.url + "/_sandbox/",
		Logger:         log,
	}, web.Deps{DB: database, Auth: authSvc, Charges: chargeSvc, Settings: settingsSvc, Metrics: metrics})
	if err != nil {
		return err
	}

	workers := newGroup(ctx)
	workers.Go(sb.server.Run)
	workers.Go(func(ctx context.Context) { chargeSvc.RunWorker(ctx, time.Second) })
	workers.Go(func(ctx context.Context) { chargeSvc.RunReconciler(ctx, time.Minute, 5*time.Minute) })

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(l) }()
	log.Info("portal started", "url", baseURL, "data_dir", cfg.DataDir, "sandbox", sb.url)
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
	sb.shutdown(shutdownCtx)
	workers.stop()
	log.Info("stopped")
	return nil
}
