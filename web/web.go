// Package web holds the built browser assets: the web SDK (openidv.js and
// openidv.css, built from web/sdk by Vite and committed) that the hosted
// verification page loads. The build is checked in CI by rebuilding it and
// comparing (see .ci/run).
package web

import (
	"embed"
	"io/fs"
)

//go:embed sdk/dist/openidv.js sdk/dist/openidv.css
var dist embed.FS

// SDK returns the built SDK files: openidv.js and openidv.css.
func SDK() fs.FS {
	sub, err := fs.Sub(dist, "sdk/dist")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return sub
}
