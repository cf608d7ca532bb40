package ozmontest

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/stellar/go-stellar-sdk/ingest"
	"github.com/stellar/go-stellar-sdk/network"
	protocol "github.com/stellar/go-stellar-sdk/protocols/rpc"
	"github.com/stellar/go-stellar-sdk/strkey"
	"github.com/stellar/go-stellar-sdk/xdr"
)

// simLedger is one served ledger. Its header fields are read at load;
// the base64 meta and the per-transaction and per-event views that
// getTransactions and getEvents need are built on first use.
type simLedger struct {
	seq       uint32
	raw       []byte
	hash      string
	closeTime int64
	protocol  uint32
	headerB64 string

	metaOnce sync.Once
	metaB64  []byte // bytes, not a string: net/http writes bytes without copying them through its buffers

	jsonOnce sync.Once
	jsonHead []byte // getLedgers object up to the metadataXdr value
	jsonErr  error

	txOnce sync.Once
	txs    []protocol.TransactionInfo
	events []simEvent
	txErr  error
}

type simEvent struct {
	cursor protocol.Cursor
	diag   xdr.DiagnosticEvent
	info   protocol.EventInfo
}

type simEntry struct {
	dataB64      string
	lastModified uint32
}

func newSimLedger(raw []byte) (*simLedger, error) {
	hv, err := xdr.LedgerCloseMetaView(raw).LedgerHeader()
	if err != nil {
		return nil, fmt.Errorf("read ledger header: %w", err)
	}
	hraw, err := hv.Raw()
	if err != nil {
		return nil, fmt.Errorf("read ledger header: %w", err)
	}
	var h xdr.LedgerHeaderHistoryEntry
	if err := xdr.SafeUnmarshal(hraw, &h); err != nil {
		return nil, fmt.Errorf("decode ledger header: %w", err)
	}
	return &simLedger{
		seq:       uint32(h.Header.LedgerSeq),
		raw:       raw,
		hash:      hex.EncodeToString(h.Hash[:]),
		closeTime: int64(h.Header.ScpValue.CloseTime),
		protocol:  uint32(h.Header.LedgerVersion),
		headerB64: base64.StdEncoding.EncodeToString(hraw),
	}, nil
}

func (l *simLedger) meta() string {
	return string(l.metaBytes())
}

func (l *simLedger) metaBytes() []byte {
	l.metaOnce.Do(func() { l.metaB64 = base64.StdEncoding.AppendEncode(nil, l.raw) })
	return l.metaB64
}

func (l *simLedger) info() protocol.LedgerInfo {
	return protocol.LedgerInfo{
		Hash: l.hash, Sequence: l.seq, LedgerCloseTime: l.closeTime,
		LedgerHeader: l.headerB64, LedgerMetadata: l.meta(),
	}
}

// jsonPieces appends the ledger's getLedgers JSON object as pieces that
// read as it in a row: its head, cached since ledgers never change, the
// base64 meta shared with getLatestLedger, and the close. Encoding the
// ~1.5 MB meta string anew on every call cost the sim more CPU than all
// else it does for getLedgers.
func (l *simLedger) jsonPieces(dst [][]byte) ([][]byte, error) {
	l.jsonOnce.Do(func() {
		info := protocol.LedgerInfo{Hash: l.hash, Sequence: l.seq, LedgerCloseTime: l.closeTime, LedgerHeader: l.headerB64}
		b, err := encodeJSON(info)
		if err != nil {
			l.jsonErr = fmt.Errorf("ledger %d: encode: %w", l.seq, err)
			return
		}
		// metadataXdr must be the last field written for the meta to go
		// between head and tail (so it is in the SDK's LedgerInfo with
		// the JSON forms omitted).
		h, ok := bytes.CutSuffix(b, []byte(`,"metadataXdr":""}`))
		if !ok {
			l.jsonErr = fmt.Errorf("ledger %d: LedgerInfo JSON does not end with metadataXdr: %.80s…", l.seq, b)
			return
		}
		l.jsonHead = append(h, `,"metadataXdr":"`...)
	})
	if l.jsonErr != nil {
		return dst, l.jsonErr
	}
	return append(dst, l.jsonHead, l.metaBytes(), []byte(`"}`)), nil
}

// derive builds the getTransactions and getEvents views of the ledger.
func (l *simLedger) derive(passphrase string) error {
	l.txOnce.Do(func() { l.txErr = l.deriveOnce(passphrase) })
	return l.txErr
}

func (l *simLedger) deriveOnce(passphrase string) error {
	var lcm xdr.LedgerCloseMeta
	if err := xdr.SafeUnmarshal(l.raw, &lcm); err != nil {
		return fmt.Errorf("ledger %d: decode meta: %w", l.seq, err)
	}
	rd, err := ingest.NewLedgerTransactionReaderFromLedgerCloseMeta(passphrase, lcm)
	if err != nil {
		return fmt.Errorf("ledger %d: %w", l.seq, err)
	}
	closedAt := time.Unix(l.closeTime, 0).UTC().Format(time.RFC3339)
	b64 := xdr.MarshalBase64
	for {
		tx, err := rd.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("ledger %d: read transactions with passphrase %q: %w", l.seq, passphrase, err)
		}
		status := "FAILED"
		if tx.Successful() {
			status = "SUCCESS"
		}
		d := protocol.TransactionDetails{
			Status: status, TransactionHash: hex.EncodeToString(tx.Hash[:]), ApplicationOrder: int32(tx.Index),
			FeeBump: tx.Envelope.IsFeeBump(), Ledger: l.seq,
		}
		if d.EnvelopeXDR, err = b64(tx.Envelope); err == nil {
			if d.ResultXDR, err = b64(tx.Result.Result); err == nil {
				d.ResultMetaXDR, err = b64(tx.UnsafeMeta)
			}
		}
		if err != nil {
			return fmt.Errorf("ledger %d tx %d: encode: %w", l.seq, tx.Index, err)
		}
		evs, err := tx.GetTransactionEvents()
		if err != nil {
			return fmt.Errorf("ledger %d tx %d: events: %w", l.seq, tx.Index, err)
		}
		for _, te := range evs.TransactionEvents {
			s, err := b64(te)
			if err != nil {
				return fmt.Errorf("ledger %d tx %d: encode event: %w", l.seq, tx.Index, err)
			}
			d.Events.TransactionEventsXDR = append(d.Events.TransactionEventsXDR, s)
		}
		for _, de := range evs.DiagnosticEvents {
			s, err := b64(de)
			if err != nil {
				return fmt.Errorf("ledger %d tx %d: encode event: %w", l.seq, tx.Index, err)
			}
			d.DiagnosticEventsXDR = append(d.DiagnosticEventsXDR, s)
		}
		for op, opEvents := range evs.OperationEvents {
			strs := make([]string, 0, len(opEvents))
			for j, ev := range opEvents {
				s, err := b64(ev)
				if err != nil {
					return fmt.Errorf("ledger %d tx %d: encode event: %w", l.seq, tx.Index, err)
				}
				strs = append(strs, s)
				se, err := l.event(tx.Index, uint32(op), uint32(j), ev, d.TransactionHash, closedAt)
				if err != nil {
					return err
				}
				l.events = append(l.events, se)
			}
			d.Events.ContractEventsXDR = append(d.Events.ContractEventsXDR, strs)
		}
		l.txs = append(l.txs, protocol.TransactionInfo{TransactionDetails: d, LedgerCloseTime: l.closeTime})
	}
}

func (l *simLedger) event(txIndex, op, idx uint32, ev xdr.ContractEvent, txHash, closedAt string) (simEvent, error) {
	c := protocol.Cursor{Ledger: l.seq, Tx: txIndex, Op: op, Event: idx}
	info := protocol.EventInfo{
		EventType: protocol.GetEventTypeFromEventTypeXDR()[ev.Type], Ledger: int32(l.seq), LedgerClosedAt: closedAt,
		ID: c.String(), OpIndex: op, TxIndex: txIndex, TransactionHash: txHash,
	}
	if ev.ContractId != nil {
		info.ContractID = strkey.MustEncode(strkey.VersionByteContract, ev.ContractId[:])
	}
	if body, ok := ev.Body.GetV0(); ok {
		for _, t := range body.Topics {
			s, err := xdr.MarshalBase64(t)
			if err != nil {
				return simEvent{}, fmt.Errorf("ledger %d tx %d: encode topic: %w", l.seq, txIndex, err)
			}
			info.TopicXDR = append(info.TopicXDR, s)
		}
		s, err := xdr.MarshalBase64(body.Data)
		if err != nil {
			return simEvent{}, fmt.Errorf("ledger %d tx %d: encode event value: %w", l.seq, txIndex, err)
		}
		info.ValueXDR = s
	}
	return simEvent{cursor: c, diag: xdr.DiagnosticEvent{InSuccessfulContractCall: true, Event: ev}, info: info}, nil
}

// loadDir reads every LedgerCloseMeta file of dir.
func (s *StellarSim) loadDir(dir, passphrase string) error {
	names, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("stellar sim: read ledger dir: %w", err)
	}
	seen := map[uint32]string{}
	for _, de := range names {
		name := de.Name()
		if de.IsDir() || !isLedgerFile(name) {
			continue
		}
		raw, err := readLedgerFile(filepath.Join(dir, name))
		if err != nil {
			return fmt.Errorf("stellar sim: %w", err)
		}
		l, err := newSimLedger(raw)
		if err != nil {
			return fmt.Errorf("stellar sim: %s: %w", name, err)
		}
		if prev, dup := seen[l.seq]; dup {
			return fmt.Errorf("stellar sim: %s and %s both hold ledger %d", prev, name, l.seq)
		}
		seen[l.seq] = name
		s.ledgers = append(s.ledgers, l)
	}
	if len(s.ledgers) == 0 {
		return fmt.Errorf("stellar sim: no .xdr, .xdr.gz or .xdr.zst ledger files in %s", dir)
	}
	sort.Slice(s.ledgers, func(i, j int) bool { return s.ledgers[i].seq < s.ledgers[j].seq })
	if passphrase == "" {
		passphrase = detectPassphrase(s.ledgers)
	}
	s.passphrase = passphrase
	return nil
}

func isLedgerFile(name string) bool {
	for _, suf := range []string{".xdr", ".xdr.gz", ".xdr.zst", ".xdr.zstd"} {
		if strings.HasSuffix(name, suf) {
			return true
		}
	}
	return false
}

// readLedgerFile returns the raw XDR of a .xdr, .xdr.gz or .xdr.zst(d) file.
func readLedgerFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read ledger file: %w", err)
	}
	var r io.Reader
	switch {
	case strings.HasSuffix(path, ".gz"):
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("ledger file %s: gzip: %w", filepath.Base(path), err)
		}
		r = zr
	case strings.HasSuffix(path, ".zst"), strings.HasSuffix(path, ".zstd"):
		zr, err := zstd.NewReader(bytes.NewReader(b), zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, fmt.Errorf("ledger file %s: zstd: %w", filepath.Base(path), err)
		}
		defer zr.Close()
		r = zr
	default:
		return b, nil
	}
	raw, err := io.ReadAll(io.LimitReader(r, 1<<30))
	if err != nil {
		return nil, fmt.Errorf("ledger file %s: decompress: %w", filepath.Base(path), err)
	}
	return raw, nil
}

// detectPassphrase finds which well-known network hashes the ledgers'
// transactions; it falls back to the public network.
func detectPassphrase(ls []*simLedger) string {
	for _, l := range ls {
		var lcm xdr.LedgerCloseMeta
		if err := xdr.SafeUnmarshal(l.raw, &lcm); err != nil || lcm.CountTransactions() == 0 {
			continue
		}
		for _, p := range []string{network.PublicNetworkPassphrase, network.TestNetworkPassphrase, network.FutureNetworkPassphrase} {
			rd, err := ingest.NewLedgerTransactionReaderFromLedgerCloseMeta(p, lcm)
			if err != nil {
				continue
			}
			if _, err := rd.Read(); err == nil {
				return p
			}
		}
		break
	}
	return network.PublicNetworkPassphrase
}

// loadSynthetic generates the first ledgers and the synthetic contracts'
// entries.
func (s *StellarSim) loadSynthetic(cfg SyntheticConfig) error {
	g, err := NewSyntheticGenerator(cfg)
	if err != nil {
		return fmt.Errorf("stellar sim: %w", err)
	}
	s.gen = g
	s.passphrase = g.cfg.Passphrase
	for range g.cfg.Ledgers {
		if err := s.generateLocked(); err != nil {
			return err
		}
	}
	k := g.keys
	if err := s.addContract(k.tokenID, nil, g.cfg.StartLedger); err != nil {
		return err
	}
	return s.addContract(k.appID, k.appWASM, g.cfg.StartLedger)
}

func (s *StellarSim) generateLocked() error {
	_, raw, err := s.gen.Next()
	if err != nil {
		return fmt.Errorf("stellar sim: %w", err)
	}
	l, err := newSimLedger(raw)
	if err != nil {
		return fmt.Errorf("stellar sim: synthetic ledger: %w", err)
	}
	s.ledgers = append(s.ledgers, l)
	return nil
}

func (s *StellarSim) addWASMContract(contractID string, wasm []byte) error {
	raw, err := strkey.Decode(strkey.VersionByteContract, contractID)
	if err != nil {
		return fmt.Errorf("stellar sim: contract %q: %w", contractID, err)
	}
	if len(wasm) == 0 {
		return fmt.Errorf("stellar sim: contract %s: empty WASM", contractID)
	}
	var id xdr.ContractId
	copy(id[:], raw)
	return s.addContract(id, wasm, s.ledgers[0].seq)
}

// addContract serves a contract's instance entry and, for a WASM
// contract, its code entry; a nil wasm makes a Stellar Asset Contract.
func (s *StellarSim) addContract(id xdr.ContractId, wasm []byte, ledger uint32) error {
	addr := xdr.ScAddress{Type: xdr.ScAddressTypeScAddressTypeContract, ContractId: &id}
	exec := xdr.ContractExecutable{Type: xdr.ContractExecutableTypeContractExecutableStellarAsset}
	if wasm != nil {
		h := xdr.Hash(sha256.Sum256(wasm))
		exec = xdr.ContractExecutable{Type: xdr.ContractExecutableTypeContractExecutableWasm, WasmHash: &h}
		codeKey := xdr.LedgerKey{Type: xdr.LedgerEntryTypeContractCode, ContractCode: &xdr.LedgerKeyContractCode{Hash: h}}
		code := xdr.LedgerEntryData{Type: xdr.LedgerEntryTypeContractCode, ContractCode: &xdr.ContractCodeEntry{Hash: h, Code: wasm}}
		if err := s.putEntry(codeKey, code, ledger); err != nil {
			return err
		}
	}
	instKey := xdr.LedgerKey{Type: xdr.LedgerEntryTypeContractData, ContractData: &xdr.LedgerKeyContractData{
		Contract: addr, Key: xdr.ScVal{Type: xdr.ScValTypeScvLedgerKeyContractInstance}, Durability: xdr.ContractDataDurabilityPersistent,
	}}
	inst := xdr.LedgerEntryData{Type: xdr.LedgerEntryTypeContractData, ContractData: &xdr.ContractDataEntry{
		Contract: addr, Key: instKey.ContractData.Key, Durability: xdr.ContractDataDurabilityPersistent,
		Val: xdr.ScVal{Type: xdr.ScValTypeScvContractInstance, Instance: &xdr.ScContractInstance{Executable: exec}},
	}}
	return s.putEntry(instKey, inst, ledger)
}

func (s *StellarSim) putEntry(key xdr.LedgerKey, data xdr.LedgerEntryData, ledger uint32) error {
	k, err := xdr.MarshalBase64(key)
	if err != nil {
		return fmt.Errorf("stellar sim: encode ledger key: %w", err)
	}
	d, err := xdr.MarshalBase64(data)
	if err != nil {
		return fmt.Errorf("stellar sim: encode ledger entry: %w", err)
	}
	s.entries[k] = simEntry{dataB64: d, lastModified: ledger}
	return nil
}

// findLocked returns the held ledger seq, or nil.
func (s *StellarSim) findLocked(seq uint32) *simLedger {
	i := sort.Search(len(s.ledgers), func(i int) bool { return s.ledgers[i].seq >= seq })
	if i < len(s.ledgers) && s.ledgers[i].seq == seq {
		return s.ledgers[i]
	}
	return nil
}
