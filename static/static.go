// Package static embeds the portal's CSS, JavaScript and images and serves
// them under content-hashed names, so browsers can cache them for a year
// and still see every change at once.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed css js vendor img
var files embed.FS

// Prefix is the URL path the assets are served under.
const Prefix = "/static/"

type asset struct {
	body        []byte
	contentType string
	etag        string
}

var (
	hashed = map[string]string{} // "css/app.css" -> "css/app.3f2a1b9c.css"
	byPath = map[string]asset{}  // hashed name -> asset
)

func init() {
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		h := hex.EncodeToString(sum[:])[:12]
		ext := path.Ext(p)
		name := strings.TrimSuffix(p, ext) + "." + h + ext
		ct := mime.TypeByExtension(ext)
		if ct == "" {
			ct = http.DetectContentType(body)
		}
		hashed[p] = name
		byPath[name] = asset{body: body, contentType: ct, etag: `"` + h + `"`}
		return nil
	})
	if err != nil {
		panic(err)
	}
}

// Path returns the URL of an asset by its source name ("css/app.css"),
// with its content hash in the file name. It panics on an unknown name so
// a typo fails the first render in tests, not silently in production.
func Path(name string) string {
	h, ok := hashed[name]
	if !ok {
		panic("static: unknown asset " + name)
	}
	return Prefix + h
}

// Handler serves hashed asset names with long-lived cache headers; any
// other name is a 404, so a stale page never gets a wrong file.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, Prefix)
		a, ok := byPath[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", a.contentType)
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		w.Header().Set("ETag", a.etag)
		if r.Header.Get("If-None-Match") == a.etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		if r.Method == http.MethodHead {
			return
		}
		w.Write(a.body)
	})
}
