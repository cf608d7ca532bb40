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
// It runs the validation import runs (validateDir), with the operator's
// limits and destination guard from the same config file and environment;
// like import, it resolves the host names of plain destination URLs.
func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cf := addCommon(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ozmon validate [--config FILE] DIR")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitError{2}
	}
	pcfg, err := cf.load()
	if err != nil {
		return err
	}
	_, problems, err := validateDir(ctx, pcfg, fs.Arg(0), false)
	if err != nil {
		return err
	}
	if problems == nil {
		fmt.Fprintf(stdout, "%s: ok\n", fs.Arg(0))
		return nil
	}
	n := files.Report(stdout, problems)
	if n == 0 {
		return problems
	}
	fmt.Fprintf(stderr, "%d error(s)\n", n)
	return exitError{1}
}
