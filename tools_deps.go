//go:build tools

// Temporary: pins dependencies before the packages that use them exist.
package ozmon

import (
	_ "github.com/alicebob/miniredis/v2"
	_ "github.com/caarlos0/env/v11"
	_ "github.com/hibiken/asynq"
	_ "github.com/hibiken/asynqmon"
	_ "github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/klauspost/compress/zstd"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/robfig/cron/v3"
	_ "github.com/stellar/go-stellar-sdk/clients/rpcclient"
	_ "github.com/stellar/go-stellar-sdk/ingest"
	_ "github.com/stellar/go-stellar-sdk/network"
	_ "github.com/stellar/go-stellar-sdk/protocols/rpc"
	_ "github.com/stellar/go-stellar-sdk/strkey"
	_ "github.com/stellar/go-stellar-sdk/xdr"
	_ "go.yaml.in/yaml/v3"
)
