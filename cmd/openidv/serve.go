package main

import (
	"context"
	"fmt"
	"io"
)

// runServe, runMigrate and runAPIKey are replaced by the server wiring (issue 2).
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "openidv serve: not built yet")
	return 2
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "openidv migrate: not built yet")
	return 2
}

func runAPIKey(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "openidv apikey: not built yet")
	return 2
}
