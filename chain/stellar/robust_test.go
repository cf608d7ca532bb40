package stellar

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stellar/go-stellar-sdk/network"
	"github.com/stellar/go-stellar-sdk/xdr"
)

// firstMainnetLedger is the smallest real ledger, read once per test.
func firstMainnetLedger(t *testing.T) []byte {
	t.Helper()
	return readLedger(t, mainnetLedgerFiles(t)[0])
}

func TestWrongPassphraseIsAnError(t *testing.T) {
	t.Parallel()
	raw := firstMainnetLedger(t)
	_, err := DecodeLedgerXDR("stellar_testnet", network.TestNetworkPassphrase, raw)
	if err == nil || !strings.Contains(err.Error(), "wrong network passphrase") || !strings.Contains(err.Error(), "ledger 51000294") {
		t.Fatalf("testnet passphrase on a mainnet ledger: %v", err)
	}
	var lcm xdr.LedgerCloseMeta
	if err := xdr.SafeUnmarshal(raw, &lcm); err != nil {
		t.Fatal(err)
	}
	if _, err := decodeLedger("stellar_testnet", network.TestNetworkPassphrase, lcm); err == nil || !strings.Contains(err.Error(), "wrong network passphrase") {
		t.Fatalf("struct path, testnet passphrase: %v", err)
	}
	if _, err := DecodeLedgerXDR("stellar_mainnet", "", raw); err == nil || !strings.Contains(err.Error(), "passphrase") {
		t.Fatalf("empty passphrase: %v", err)
	}
}

// TestCorruptLedgersAreErrors cuts and damages a real ledger: every
// truncation and trailing garbage is an error naming the ledger; a changed
// envelope byte breaks the hash pairing; random bit flips never panic.
func TestCorruptLedgersAreErrors(t *testing.T) {
	t.Parallel()
	raw := firstMainnetLedger(t)
	decode := func(b []byte) error {
		_, err := DecodeLedgerXDR("stellar_mainnet", network.PublicNetworkPassphrase, b)
		return err
	}
	for _, n := range []int{0, 1, 3, 4, 7, 8, 100, 1000, len(raw) / 3, len(raw) / 2, len(raw) - 100, len(raw) - 4, len(raw) - 1} {
		err := decode(raw[:n])
		if err == nil {
			t.Fatalf("truncated to %d bytes: no error", n)
		}
		if n > 400 && !strings.Contains(err.Error(), "ledger 51000294") {
			t.Errorf("truncated to %d bytes: error does not name the ledger: %v", n, err)
		}
	}
	if err := decode(append(bytes.Clone(raw), 0, 0, 0, 0)); err == nil || !strings.Contains(err.Error(), "trailing") {
		t.Fatalf("trailing bytes: %v", err)
	}
	bad := bytes.Clone(raw)
	binary.BigEndian.PutUint32(bad, 3)
	if err := decode(bad); err == nil || !strings.Contains(err.Error(), "unsupported LedgerCloseMeta version 3") {
		t.Fatalf("LCM version 3: %v", err)
	}

	// A changed byte inside a transaction body changes its hash.
	blk, err := DecodeLedgerXDR("stellar_mainnet", network.PublicNetworkPassphrase, raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, len(blk.Transactions) / 2, len(blk.Transactions) - 1} {
		env := blk.Transactions[i].EnvelopeXDR
		at := bytes.Index(raw, env)
		if at < 0 {
			t.Fatal("envelope not found in the ledger")
		}
		bad := bytes.Clone(raw)
		bad[at+4+40] ^= 0x01 // inside the transaction's fee/sequence fields
		if err := decode(bad); err == nil {
			t.Fatalf("tx %d: flipped envelope byte decoded without error", i+1)
		}
	}

	// Random single-bit flips anywhere: an error or a block, never a panic.
	rng := rand.New(rand.NewPCG(1, 2))
	errs := 0
	for range 300 {
		bad := bytes.Clone(raw)
		pos := rng.IntN(len(bad))
		bad[pos] ^= 1 << rng.IntN(8)
		if decode(bad) != nil {
			errs++
		}
	}
	t.Logf("300 random bit flips: %d errors", errs)
}

func TestDecodeLedgerRejectsBrokenStructs(t *testing.T) {
	t.Parallel()
	for name, lcm := range map[string]xdr.LedgerCloseMeta{
		"version 7":   {V: 7},
		"V1 without":  {V: 1},
		"V2 without":  {V: 2},
		"V0 without":  {V: 0},
		"bad meta V4": craftLCM(t, 2, false, brokenMeta(classicTx())),
	} {
		if _, err := decodeLedger("testnet", testPassphrase, lcm); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func brokenMeta(c craftedTx) craftedTx {
	c.meta = xdr.TransactionMeta{V: 4} // V4 without a body
	return c
}
