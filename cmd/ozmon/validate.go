package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/ozmon/ozmon/store/files"
)

// runValidate checks an OpenZeppelin Monitor config directory and prints
// every error, one per line; exit status 1 when there is any.
func runValidate(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, "usage: ozmon validate DIR") }
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitError{2}
	}
	err := files.Validate(fs.Arg(0))
	if err == nil {
		fmt.Fprintf(stdout, "%s: ok\n", fs.Arg(0))
		return nil
	}
	n := files.Report(stdout, err)
	if n == 0 {
		return err
	}
	fmt.Fprintf(stderr, "%d error(s)\n", n)
	return exitError{1}
}
