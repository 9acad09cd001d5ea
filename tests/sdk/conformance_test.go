// Package sdk runs the official Efí Node SDK against the portal's sandbox
// and checks every answer against the SDK's own response schemas.
package sdk

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/efiportal/portal/sandbox"
)

func TestNodeSDKConformance(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("node is not installed")
		}
		t.Skip("node not installed; the SDK conformance test needs Node.js")
	}
	if _, err := os.Stat("node_modules/sdk-node-apis-efi"); err != nil {
		install := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--silent")
		if out, err := install.CombinedOutput(); err != nil {
			t.Fatalf("npm ci: %v\n%s", err, out)
		}
	}
	sb, err := sandbox.New(context.Background(), sandbox.Config{DBPath: filepath.Join(t.TempDir(), "sb.db"), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(sb.Handler())
	defer ts.Close()
	sb.SetPublicURL(ts.URL)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go sb.Run(ctx)

	out, err := exec.Command(node, "conformance.mjs", ts.URL).CombinedOutput()
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if strings.HasPrefix(line, "FAIL") {
			t.Error(line)
		}
	}
	t.Logf("SDK conformance:\n%s", out)
	if err != nil && !t.Failed() {
		t.Fatalf("node: %v\n%s", err, out)
	}
}
