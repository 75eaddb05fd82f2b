package main

import (
	"context"
	"fmt"
	"io"
)

// runFace is replaced by the face engine's CLI (issue 3).
func runFace(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "openidv face: not built yet")
	return 2
}
