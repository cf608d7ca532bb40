package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/ozmon/ozmon/ozmontest"
)

// runSimulate serves a Stellar RPC simulator until interrupted, so users
// can test monitors offline against real ledger files or synthetic ledgers.
func runSimulate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8000", "listen address")
	dir := fs.String("ledgers", "", "serve files: Stellar LedgerCloseMeta files (.xdr, .xdr.gz, .xdr.zst), for --chain evm a directory with OZ's blocks.json and transaction_receipts.json, for --chain solana or midnight a directory with OZ's blocks.json")
	seed := fs.Int64("seed", 1, "seed of the synthetic ledgers (without --ledgers)")
	tx := fs.Int("tx-per-ledger", 50, "transactions per synthetic ledger")
	passphrase := fs.String("passphrase", "", "network passphrase (default: the test network for synthetic, mainnet for files)")
	interval := fs.Duration("interval", 5*time.Second, "close a ledger this often (0: serve every ledger at once); with --ledgers, the files are served from the first one, one more each interval")
	chainName := fs.String("chain", "stellar", "stellar, evm, solana or midnight")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch *chainName {
	case "stellar":
	case "evm":
		return simulateEVM(ctx, *addr, *dir, uint64(*seed), *tx, *interval, stdout)
	case "solana":
		return simulateSolana(ctx, *addr, *dir, uint64(*seed), *tx, *interval, stdout)
	case "midnight":
		return simulateMidnight(ctx, *addr, *dir, uint64(*seed), *tx, *interval, stdout)
	default:
		return fmt.Errorf("--chain %q: want stellar, evm, solana or midnight", *chainName)
	}
	opts := []ozmontest.SimOption{ozmontest.SimAddr(*addr), ozmontest.SimTipInterval(*interval)}
	if *passphrase != "" {
		opts = append(opts, ozmontest.SimPassphrase(*passphrase))
	}
	if *dir != "" {
		opts = append(opts, ozmontest.SimLedgerDir(*dir))
		if *interval > 0 {
			// Replay the files as a chain that closes a ledger each
			// interval, rather than one whose whole history is out.
			opts = append(opts, ozmontest.SimStartAtFirst())
		}
	} else {
		opts = append(opts, ozmontest.SimSynthetic(ozmontest.SyntheticConfig{Seed: *seed, TxPerLedger: *tx, Passphrase: *passphrase}))
	}
	sim, err := ozmontest.NewStellarSim(opts...)
	if err != nil {
		return err
	}
	defer sim.Close()
	ls := sim.Ledgers()
	fmt.Fprintf(stdout, "stellar RPC simulator on %s (passphrase %q), ledgers %d..%d, tip %d\n", sim.URL(), sim.Passphrase(), ls[0], ls[len(ls)-1], sim.Tip())
	<-ctx.Done()
	return nil
}

// simulateEVM serves an EVM JSON-RPC simulator: OpenZeppelin Monitor's
// fixture files (blocks.json, transaction_receipts.json in dir) or
// synthetic ERC-20 traffic.
func simulateEVM(ctx context.Context, addr, dir string, seed uint64, tx int, interval time.Duration, stdout io.Writer) error {
	opts := []ozmontest.EVMSimOption{ozmontest.EVMSimAddr(addr), ozmontest.EVMSimTipInterval(interval)}
	if dir != "" {
		blocks, err := os.ReadFile(filepath.Join(dir, "blocks.json"))
		if err != nil {
			return err
		}
		receipts, err := os.ReadFile(filepath.Join(dir, "transaction_receipts.json"))
		if err != nil {
			return err
		}
		opts = append(opts, ozmontest.EVMSimFixtures(blocks, receipts))
	} else {
		opts = append(opts, ozmontest.EVMSimSynthetic(ozmontest.EVMSynthetic{Seed: seed, TxPerBlock: tx}))
	}
	sim, err := ozmontest.NewEVMSim(opts...)
	if err != nil {
		return err
	}
	defer sim.Close()
	bs := sim.Blocks()
	fmt.Fprintf(stdout, "EVM RPC simulator on %s, blocks %d..%d, tip %d\n", sim.URL(), bs[0], bs[len(bs)-1], sim.Tip())
	<-ctx.Done()
	return nil
}

// simulateSolana serves a Solana JSON-RPC simulator: OpenZeppelin Monitor's
// fixture blocks (blocks.json in dir) or synthetic slots (SPL transfers,
// Anchor calls and events, failures, skipped slots, v0 lookup-table CPIs).
func simulateSolana(ctx context.Context, addr, dir string, seed uint64, tx int, interval time.Duration, stdout io.Writer) error {
	opts := []ozmontest.SolanaSimOption{ozmontest.SolanaSimAddr(addr), ozmontest.SolanaSimTipInterval(interval)}
	if dir != "" {
		blocks, err := os.ReadFile(filepath.Join(dir, "blocks.json"))
		if err != nil {
			return err
		}
		opts = append(opts, ozmontest.SolanaSimFixtures(blocks))
	} else {
		opts = append(opts, ozmontest.SolanaSimSynthetic(ozmontest.SolanaSynthetic{Seed: seed, TxPerSlot: tx}))
	}
	sim, err := ozmontest.NewSolanaSim(opts...)
	if err != nil {
		return err
	}
	defer sim.Close()
	ss := sim.Slots()
	fmt.Fprintf(stdout, "Solana RPC simulator on %s, slots %d..%d, tip %d (Anchor program %s)\n", sim.URL(), ss[0], ss[len(ss)-1], sim.Tip(), ozmontest.SolanaSimAnchorProgram)
	<-ctx.Done()
	return nil
}

// simulateMidnight serves a Midnight node's WebSocket JSON-RPC: OpenZeppelin
// Monitor's fixture blocks (blocks.json in dir) or synthetic blocks calling
// the bulletin-board contract, one more each interval.
func simulateMidnight(ctx context.Context, addr, dir string, seed uint64, tx int, interval time.Duration, stdout io.Writer) error {
	sim, err := ozmontest.NewMidnightSim(ozmontest.MidnightSimAddr(addr))
	if err != nil {
		return err
	}
	defer sim.Close()
	if dir != "" {
		blocks, err := os.ReadFile(filepath.Join(dir, "blocks.json"))
		if err != nil {
			return err
		}
		if err := sim.LoadFixtures(blocks, nil); err != nil {
			return err
		}
	} else {
		for range 10 {
			sim.AddSyntheticBlock(seed, tx)
		}
	}
	fmt.Fprintf(stdout, "Midnight RPC simulator on %s, tip %d (bulletin contract %s)\n", sim.URL(), sim.Tip(), ozmontest.MidnightSimBulletin)
	if dir != "" || interval <= 0 {
		<-ctx.Done()
		return nil
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			sim.AddSyntheticBlock(seed, tx)
		}
	}
}
