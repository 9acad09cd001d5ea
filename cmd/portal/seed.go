package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/efiportal/portal/db"
)

// runSeed is `portal seed`: it fills the database with synthetic payment
// links for one organisation, for benchmarks and demos.
func runSeed(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("portal seed", flag.ContinueOnError)
	fs.SetOutput(stdout)
	dataDir := fs.String("data-dir", orDefault(getenv("PORTAL_DATA_DIR"), "./data"), "data folder (env PORTAL_DATA_DIR)")
	org := fs.Int64("org", 0, "organisation id that receives the charges (required)")
	n := fs.Int("n", 10000, "how many synthetic links to create")
	seed := fs.Uint64("seed", 1, "random seed, for repeatable data")
	fs.Usage = func() {
		fmt.Fprintf(stdout, "Usage: portal seed -org ID [-n N] [-data-dir DIR]\n\nFills the database with N synthetic payment links (with items) for an organisation,\nspread over the last year, for benchmarks and demos. They do not exist at Efí.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *org <= 0 || *n <= 0 {
		fs.Usage()
		return fmt.Errorf("seed needs -org and a positive -n")
	}
	d, err := db.Open(ctx, filepath.Join(*dataDir, "portal.db"), db.Options{})
	if err != nil {
		return err
	}
	defer d.Close()
	start := time.Now()
	last := time.Now()
	err = d.SeedCharges(ctx, *org, *n, *seed, func(done int) {
		if time.Since(last) > 2*time.Second || done == *n {
			fmt.Fprintf(stdout, "  %d/%d links (%.0f/s)\n", done, *n, float64(done)/time.Since(start).Seconds())
			last = time.Now()
		}
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seeded %d links for organisation %d in %s\n", *n, *org, time.Since(start).Round(time.Millisecond))
	return nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
