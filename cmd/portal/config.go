package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"time"
)

// config is the portal's whole configuration: flags override environment
// variables, which override the defaults. It is passed to constructors,
// never kept in a global.
type config struct {
	Addr           string
	DataDir        string
	BaseURL        string
	LogFormat      string
	LogLevel       slog.Level
	TrustedProxies []string
	SandboxAddr    string
	AdminEmail     string
	AdminPassword  string
	SessionIdle    time.Duration
	SessionMax     time.Duration
	Demo           bool
	SecretKey      string
	SecretKeysOld  string
}

// envVars documents every variable (README's table is written from the same list).
var envVars = []struct{ name, flag, def, help string }{
	{"PORTAL_ADDR", "addr", "127.0.0.1:8080", "address the portal listens on"},
	{"PORTAL_DATA_DIR", "data-dir", "./data", "folder for the SQLite databases and the generated master key"},
	{"PORTAL_BASE_URL", "base-url", "http://<addr>", "URL people and Efí's callbacks reach the portal at"},
	{"PORTAL_LOG_FORMAT", "log-format", "text", "log format: text or json"},
	{"PORTAL_LOG_LEVEL", "log-level", "info", "log level: debug, info, warn or error"},
	{"PORTAL_TRUSTED_PROXIES", "trusted-proxies", "", "comma-separated IPs/CIDRs of reverse proxies whose X-Forwarded-For is trusted"},
	{"PORTAL_ADMIN_EMAIL", "admin-email", "admin@localhost", "e-mail of the first staff user, created when the database has no user"},
	{"PORTAL_ADMIN_PASSWORD", "admin-password", "(random, printed once)", "password of that first staff user (12 characters or more)"},
	{"PORTAL_SESSION_IDLE", "session-idle", "30m", "a session unused this long ends"},
	{"PORTAL_SESSION_MAX", "session-max", "12h", "any session ends this long after sign-in"},
	{"PORTAL_SECRET_KEY", "secret-key", "(generated into <data dir>/master.key)", "32-byte master key (64 hex digits or base64) that seals Efí secrets at rest"},
	{"PORTAL_SECRET_KEYS_OLD", "secret-keys-old", "", "comma-separated previous master keys, still accepted to open secrets after a rotation"},
	{"PORTAL_DEMO", "demo", "false", "true creates a demo organisation with a merchant and a partner (local trials only)"},
	{"PORTAL_SANDBOX_ADDR", "sandbox-addr", "127.0.0.1:0", "address of the embedded Efí sandbox (port 0: any free port)"},
}

// parseConfig reads flags (args without the program name) over the environment.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("portal", flag.ContinueOnError)
	fs.SetOutput(stderr)
	vals := map[string]*string{}
	for _, v := range envVars {
		def := getenv(v.name)
		if def == "" && !strings.ContainsAny(v.def, "<(") {
			def = v.def
		}
		vals[v.name] = fs.String(v.flag, def, fmt.Sprintf("%s (env %s, default %q)", v.help, v.name, v.def))
	}
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: portal [flags]\n\nRuns the Efí portal. Every flag can also be set by its environment variable.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	c := config{
		Addr:          *vals["PORTAL_ADDR"],
		DataDir:       *vals["PORTAL_DATA_DIR"],
		BaseURL:       strings.TrimRight(*vals["PORTAL_BASE_URL"], "/"),
		LogFormat:     *vals["PORTAL_LOG_FORMAT"],
		SandboxAddr:   *vals["PORTAL_SANDBOX_ADDR"],
		AdminEmail:    *vals["PORTAL_ADMIN_EMAIL"],
		AdminPassword: *vals["PORTAL_ADMIN_PASSWORD"],
		SecretKey:     *vals["PORTAL_SECRET_KEY"],
		SecretKeysOld: *vals["PORTAL_SECRET_KEYS_OLD"],
	}
	switch v := strings.ToLower(*vals["PORTAL_DEMO"]); v {
	case "true", "1", "yes":
		c.Demo = true
	case "false", "0", "no", "":
	default:
		return config{}, fmt.Errorf("PORTAL_DEMO must be true or false, not %q", v)
	}
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{{"PORTAL_SESSION_IDLE", &c.SessionIdle}, {"PORTAL_SESSION_MAX", &c.SessionMax}} {
		v, err := time.ParseDuration(*vals[d.name])
		if err != nil || v <= 0 {
			return config{}, fmt.Errorf("%s must be a duration such as 30m, not %q", d.name, *vals[d.name])
		}
		*d.dst = v
	}
	if err := c.LogLevel.UnmarshalText([]byte(*vals["PORTAL_LOG_LEVEL"])); err != nil {
		return config{}, fmt.Errorf("PORTAL_LOG_LEVEL: %w", err)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return config{}, fmt.Errorf("PORTAL_LOG_FORMAT must be text or json, not %q", c.LogFormat)
	}
	for _, p := range strings.Split(*vals["PORTAL_TRUSTED_PROXIES"], ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	if c.DataDir == "" {
		return config{}, errors.New("PORTAL_DATA_DIR must not be empty")
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return config{}, fmt.Errorf("PORTAL_BASE_URL must be an http(s) URL, not %q", c.BaseURL)
		}
	}
	return c, nil
}

// baseURL is the configured base URL, or one derived from the address the
// server actually listens on.
func (c config) baseURL(listenAddr string) string {
	if c.BaseURL != "" {
		return c.BaseURL
	}
	return "http://" + listenAddr
}

func (c config) logger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
