// Command efi-sandbox runs the Efí API sandbox alone, for a merchant's
// developer or for tests: a stateful emulator of the Efí APIs on
// http://HOST/cobrancas/v1/..., with a hosted payment page under /pay/ and
// controls under /_sandbox/.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/efiportal/portal/sandbox"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "efi-sandbox:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("efi-sandbox", flag.ContinueOnError)
	fs.SetOutput(stdout)
	addr := fs.String("addr", "127.0.0.1:8090", "address to listen on")
	dbPath := fs.String("db", "efi-sandbox.db", "SQLite file the sandbox's state persists in (\"\" keeps it in memory)")
	publicURL := fs.String("public-url", "", "URL clients and payers reach the sandbox at (default http://<addr>)")
	chargesTTL := fs.Duration("charges-token-ttl", 600*time.Second, "lifetime of Cobranças access tokens")
	otherTTL := fs.Duration("token-ttl", time.Hour, "lifetime of the other families' access tokens")
	quota := fs.Int("quota", 15000, "requests per endpoint and day before the API answers 429")
	tlsCert := fs.String("tls-cert", "", "PEM certificate to serve HTTPS with (with -tls-key)")
	tlsKey := fs.String("tls-key", "", "PEM private key of -tls-cert")
	requireMTLS := fs.Bool("require-mtls", false, "with TLS: Abertura de Contas, Pagamentos and Pix refuse calls without a client certificate")
	fs.Usage = func() {
		fmt.Fprintf(stdout, "Usage: efi-sandbox [flags]\n\nRuns a stateful emulator of the Efí Bank APIs. Credentials come from\nEFI_SANDBOX_CLIENT_ID and EFI_SANDBOX_CLIENT_SECRET, else the printed defaults.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stdout, nil))
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	scheme := "http"
	if *tlsCert != "" {
		pair, err := tls.LoadX509KeyPair(*tlsCert, *tlsKey)
		if err != nil {
			l.Close()
			return fmt.Errorf("tls: %w", err)
		}
		l = tls.NewListener(l, sandbox.TLSConfig(pair))
		scheme = "https"
	} else if *requireMTLS {
		l.Close()
		return fmt.Errorf("-require-mtls needs -tls-cert and -tls-key")
	}
	root := *publicURL
	if root == "" {
		root = scheme + "://" + l.Addr().String()
	}
	id, secret := getenv("EFI_SANDBOX_CLIENT_ID"), getenv("EFI_SANDBOX_CLIENT_SECRET")
	if id == "" || secret == "" {
		id, secret = sandbox.DefaultClientID, sandbox.DefaultClientSecret
	}
	sb, err := sandbox.New(ctx, sandbox.Config{DBPath: *dbPath, ClientID: id, ClientSecret: secret, ChargesTokenTTL: *chargesTTL,
		OtherTokenTTL: *otherTTL, DailyQuota: *quota, PublicURL: root, Logger: log, RequireMTLS: *requireMTLS})
	if err != nil {
		l.Close()
		return err
	}
	defer sb.Close()
	srv := &http.Server{Handler: sb.Handler(), ReadHeaderTimeout: 10 * time.Second}
	workers, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() { sb.Run(workers); close(done) }()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	fmt.Fprintf(stdout, "\n  Efí sandbox on %s\n  Cobranças base URL: %s/cobrancas\n  client_id:     %s\n  client_secret: %s\n  controls:      %s/_sandbox/\n\n", root, root, id, secret, root)
	select {
	case <-ctx.Done():
	case err := <-errc:
		cancel()
		return err
	}
	sctx, c2 := context.WithTimeout(context.Background(), 10*time.Second)
	defer c2()
	srv.Shutdown(sctx)
	cancel()
	<-done
	return nil
}
