package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/ozmon/ozmon/internal/testkit"
)

// runSimulate serves a Stellar RPC simulator until interrupted, so users
// can test monitors offline against real ledger files or synthetic ledgers.
func runSimulate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8000", "listen address")
	dir := fs.String("ledgers", "", "serve the LedgerCloseMeta files (.xdr, .xdr.gz, .xdr.zst) of this directory")
	seed := fs.Int64("seed", 1, "seed of the synthetic ledgers (without --ledgers)")
	tx := fs.Int("tx-per-ledger", 50, "transactions per synthetic ledger")
	passphrase := fs.String("passphrase", "", "network passphrase (default: the test network for synthetic, mainnet for files)")
	interval := fs.Duration("interval", 5*time.Second, "close a ledger this often (0: serve every ledger at once)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	opts := []testkit.SimOption{testkit.SimAddr(*addr), testkit.SimTipInterval(*interval)}
	if *passphrase != "" {
		opts = append(opts, testkit.SimPassphrase(*passphrase))
	}
	if *dir != "" {
		opts = append(opts, testkit.SimLedgerDir(*dir))
	} else {
		opts = append(opts, testkit.SimSynthetic(testkit.SyntheticConfig{Seed: *seed, TxPerLedger: *tx, Passphrase: *passphrase}))
	}
	sim, err := testkit.NewStellarSim(opts...)
	if err != nil {
		return err
	}
	defer sim.Close()
	ls := sim.Ledgers()
	fmt.Fprintf(stdout, "stellar RPC simulator on %s (passphrase %q), ledgers %d..%d, tip %d\n", sim.URL(), sim.Passphrase(), ls[0], ls[len(ls)-1], sim.Tip())
	<-ctx.Done()
	return nil
}
