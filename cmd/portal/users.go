package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/efiportal/portal/db"
	"github.com/efiportal/portal/services"
	"github.com/efiportal/portal/services/auth"
	"github.com/efiportal/portal/services/secrets"
	"github.com/efiportal/portal/services/settings"
)

// runAdmin is `portal users add ...` and `portal orgs add ...`: the
// command-line way to add people and organisations (audited as "cli").
// A user's password is read from stdin, never from a flag.
func runAdmin(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	if len(args) < 2 || args[1] != "add" {
		return fmt.Errorf("usage: portal users add -email E -name N -role staff|merchant|partner [-org ID] < password\n       portal orgs add -name N -document CPF_OR_CNPJ")
	}
	fs := flag.NewFlagSet("portal "+args[0]+" add", flag.ContinueOnError)
	fs.SetOutput(stdout)
	dataDir := fs.String("data-dir", orDefault(getenv("PORTAL_DATA_DIR"), "./data"), "data folder (env PORTAL_DATA_DIR)")
	name := fs.String("name", "", "name")
	email := fs.String("email", "", "e-mail (users)")
	role := fs.String("role", services.RoleMerchant, "role: staff, merchant or partner (users)")
	org := fs.Int64("org", 0, "organisation id (merchant and partner users)")
	document := fs.String("document", "", "CPF or CNPJ (organisations)")
	if err := fs.Parse(args[2:]); err != nil {
		return err
	}
	d, err := db.Open(ctx, filepath.Join(*dataDir, "portal.db"), db.Options{})
	if err != nil {
		return err
	}
	defer d.Close()
	svc := auth.New(d, auth.Config{Logger: slog.New(slog.DiscardHandler)})
	cli := services.Actor{Role: services.RoleStaff, Name: "cli"}
	switch args[0] {
	case "orgs":
		id, err := svc.CreateOrganisation(ctx, cli, *name, *document)
		if err != nil {
			return describe(err)
		}
		fmt.Fprintf(stdout, "organisation %d created\n", id)
	case "users":
		pw, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read password from stdin: %w", err)
		}
		id, err := svc.CreateUser(ctx, cli, auth.NewUser{Name: *name, Email: *email, Password: strings.TrimRight(pw, "\r\n"), Role: *role, OrgID: *org})
		if err != nil {
			return describe(err)
		}
		fmt.Fprintf(stdout, "user %d created\n", id)
	default:
		return fmt.Errorf("unknown command %q", args[0])
	}
	return nil
}

// describe turns a validation error into a line per field for the terminal.
func describe(err error) error {
	var se *services.Error
	if !errors.As(err, &se) || len(se.Fields) == 0 {
		return err
	}
	var parts []string
	for f, m := range se.Fields {
		parts = append(parts, fmt.Sprintf("%s: %s", f, m.Key))
	}
	return fmt.Errorf("refused: %s", strings.Join(parts, "; "))
}

// runRotate is `portal secrets rotate`: re-seals every stored secret with
// the current PORTAL_SECRET_KEY; the previous key goes in
// PORTAL_SECRET_KEYS_OLD while it runs.
func runRotate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) != 1 || args[0] != "rotate" {
		return errors.New("usage: PORTAL_SECRET_KEY=new PORTAL_SECRET_KEYS_OLD=old portal secrets rotate")
	}
	dataDir := orDefault(getenv("PORTAL_DATA_DIR"), "./data")
	box, _, err := secrets.Load(dataDir, getenv("PORTAL_SECRET_KEY"), getenv("PORTAL_SECRET_KEYS_OLD"))
	if err != nil {
		return err
	}
	d, err := db.Open(ctx, filepath.Join(dataDir, "portal.db"), db.Options{})
	if err != nil {
		return err
	}
	defer d.Close()
	n, err := settings.New(d, box, nil, nil, slog.New(slog.DiscardHandler)).RotateSecrets(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "re-sealed the secrets of %d organisation(s) with the current key\n", n)
	return nil
}
