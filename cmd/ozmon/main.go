// Command ozmon is the one binary of ozmon, a multi-tenant,
// OpenZeppelin-Monitor-compatible blockchain monitor on a Redis queue.
//
//	ozmon dev                      the whole pipeline in one process, on embedded defaults
//	ozmon all|scheduler|worker|api production roles (config file, OZ_MONITOR_* env, flags)
//	ozmon migrate                  create or upgrade the PostgreSQL schema
//	ozmon import --tenant SLUG DIR load an OpenZeppelin Monitor config directory into PostgreSQL
//	ozmon validate DIR             check a config directory as import would; print every error
//	ozmon test-monitor …           run one monitor over a ledger range, print matches
//	ozmon simulate …               serve a Stellar RPC simulator (ledger files or synthetic)
//	ozmon admin …                  queues, archived tasks and deliveries: list, retry, delete
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"dev", "run the whole pipeline in one process on embedded defaults", runDev},
		{"all", "run scheduler, worker and tenant API in one process", func(ctx context.Context, a []string, o, e io.Writer) error { return runRole(ctx, "all", a, o, e) }},
		{"scheduler", "run the per-network schedulers", func(ctx context.Context, a []string, o, e io.Writer) error { return runRole(ctx, "scheduler", a, o, e) }},
		{"worker", "run a stateless worker draining the queues", func(ctx context.Context, a []string, o, e io.Writer) error { return runRole(ctx, "worker", a, o, e) }},
		{"api", "serve the tenant GraphQL API (HTTP and WebSocket)", func(ctx context.Context, a []string, o, e io.Writer) error { return runRole(ctx, "api", a, o, e) }},
		{"migrate", "create or upgrade the PostgreSQL schema", runMigrate},
		{"import", "load an OpenZeppelin Monitor config directory into PostgreSQL", runImport},
		{"validate", "check an OpenZeppelin Monitor config directory", runValidate},
		{"test-monitor", "evaluate one monitor over a ledger range and print its matches", runTestMonitor},
		{"simulate", "serve a Stellar RPC simulator on 127.0.0.1", runSimulate},
		{"asynqmon", "serve the asynqmon queue web UI behind authentication", runAsynqmon},
		{"admin", "inspect queues, retry or delete archived tasks, list and resend deliveries", runAdmin},
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: ozmon <command> [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-13s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'ozmon <command> -h' for a command's flags.")
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// exitError carries a specific exit code (validate: 1 when it found errors).
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		var ee exitError
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, &ee):
			return ee.code
		}
		fmt.Fprintf(stderr, "ozmon %s: %v\n", c.name, err)
		return 1
	}
	fmt.Fprintf(stderr, "ozmon: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}
