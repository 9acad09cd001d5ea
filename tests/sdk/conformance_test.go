// Package sdk runs the official Efí Node SDK against the portal's sandbox
// and checks every answer against the SDK's own response schemas.
package sdk

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"time"

	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"software.sslmate.com/src/go-pkcs12"
	"strings"
	"testing"

	"github.com/efiportal/portal/sandbox"
)

func TestNodeSDKConformance(t *testing.T) {
	node := nodeAndSDK(t)
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
	conform(t, node, ts.URL)
}

// TestNodeSDKConformanceStandalone runs the same script against the
// standalone command, built and started as a developer would.
func TestNodeSDKConformanceStandalone(t *testing.T) {
	node := nodeAndSDK(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "efi-sandbox")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/efi-sandbox").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-db", filepath.Join(dir, "sb.db"))
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "Efí sandbox on "); ok {
				urlc <- u
			}
		}
	}()
	select {
	case u := <-urlc:
		conform(t, node, u)
	case <-time.After(30 * time.Second):
		t.Fatal("the standalone sandbox did not print its URL")
	}
}

func nodeAndSDK(t *testing.T) string {
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
	return node
}

func conform(t *testing.T, node, root string) {
	t.Helper()
	cmd := exec.Command(node, "conformance.mjs", root)
	cmd.Env = append(os.Environ(), "EFI_TEST_P12="+testP12(t))
	out, err := cmd.CombinedOutput()
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

// testP12 is a throwaway client certificate, base64, for the SDK's families
// that insist on one.
func testP12(t *testing.T) string {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sdk-test"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	p12, err := pkcs12.LegacyRC2.Encode(key, cert, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(p12)
}
