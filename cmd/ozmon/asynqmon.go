package main

import (
	"context"
	"flag"
	"io"

	"github.com/ozmon/ozmon/asynqmon"
)

// runAsynqmon serves the queue web UI (hibiken/asynqmon) behind bearer or
// basic authentication, with a read-only role and redacted payloads.
func runAsynqmon(ctx context.Context, args []string, _, stderr io.Writer) error {
	fs := flag.NewFlagSet("asynqmon", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cf := addCommon(fs)
	cfg, err := cf.parseAndLoad(fs, args)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	routeRedisLogs(log)
	rdb, err := openRedis(ctx, cfg.RedisURL)
	if err != nil {
		return err
	}
	defer rdb.Close()
	// asynqmon lists queues from asynq's queue registry, which Redis data
	// loss empties for good; keep it repaired while the UI is up (and stop
	// before Redis is closed).
	rctx, stopRepair := context.WithCancel(ctx)
	repairDone := make(chan struct{})
	go func() {
		defer close(repairDone)
		keepQueueRegistry(rctx, rdb, log, queueRegistryInterval)
	}()
	defer func() { stopRepair(); <-repairDone }()
	h, err := asynqmon.New(rdb,
		asynqmon.WithPath(cfg.Asynqmon.Path),
		asynqmon.WithAdminToken(cfg.Asynqmon.BearerToken),
		asynqmon.WithReadOnlyToken(cfg.Asynqmon.ReadOnlyToken),
		asynqmon.WithPrometheusURL(cfg.Asynqmon.PrometheusURL),
		asynqmon.WithLogger(log))
	if err != nil {
		return err
	}
	log.Info("asynqmon listening", "addr", cfg.Asynqmon.Addr, "path", cfg.Asynqmon.Path)
	return asynqmon.ListenAndServe(ctx, cfg.Asynqmon.Addr, h)
}
