package ozmontest

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"github.com/stellar/go-stellar-sdk/keypair"
	"github.com/stellar/go-stellar-sdk/network"
	"github.com/stellar/go-stellar-sdk/strkey"
	"github.com/stellar/go-stellar-sdk/xdr"
)

// SyntheticAccounts is how many G… accounts send and receive in synthetic
// ledgers.
const SyntheticAccounts = 16

// syntheticTokenCode is the asset code of the synthetic token; its Stellar
// Asset Contract is SyntheticIdentities.Token.
const syntheticTokenCode = "OZT"

// SyntheticIdentities are the deterministic addresses of a synthetic
// network (one seed, one passphrase), for writing monitors that fire.
//
// The token contract (Token) is the Stellar Asset Contract of
// "OZT:<Issuer>"; synthetic transactions call
//
//	transfer(from: Address, to: Address, amount: I128)
//
// on it, each emitting the SAC event topics [Symbol "transfer", Address
// from, Address to, String "OZT:<Issuer>"] with I128 data. A SAC has no
// WASM, so its contract spec is not served.
//
// The app contract (App) is a WASM contract whose spec is
// syntheticAppSpec; synthetic transactions call
//
//	deposit(from: Address, amount: I128, memo: String)
//	  → event topics [Symbol "deposit", Address from], data I128 amount
//	record(id: U32, label: String, tags: Vec<Symbol>, attrs: Map<Symbol,U32>)
//	  → event topics [Symbol "recorded", U32 id], data Map{label: String, count: U32}
//
// Classic native payments between Accounts emit the CAP-67 transfer event
// from Native (the XLM SAC) with the asset topic "native"; every
// transaction also emits a transaction-level "fee" event from Native.
type SyntheticIdentities struct {
	Passphrase string
	Issuer     string   // G… issuer of the token asset
	Asset      string   // "OZT:G…", the SEP-11 asset string in transfer events
	Token      string   // C… SAC of Asset
	Native     string   // C… SAC of XLM
	App        string   // C… WASM app contract
	Accounts   []string // G… accounts, SyntheticAccounts of them
}

// SyntheticContracts returns the synthetic token and app contract IDs
// (C…) for a seed and network passphrase ("" means the test network), in
// that order. See SyntheticIdentities for their functions and events.
func SyntheticContracts(seed int64, passphrase string) []string {
	ids := SyntheticIDs(seed, passphrase)
	return []string{ids.Token, ids.App}
}

// SyntheticIDs returns every deterministic address of a synthetic network
// ("" passphrase means the test network).
func SyntheticIDs(seed int64, passphrase string) SyntheticIdentities {
	k, err := newSynthKeys(seed, passphrase)
	if err != nil {
		// Only a broken SDK gets here: every input is derived, not given.
		panic(fmt.Sprintf("synthetic identities for seed %d: %v", seed, err))
	}
	return k.ids
}

// synthKeys is SyntheticIdentities plus the XDR forms generation needs.
type synthKeys struct {
	ids        SyntheticIdentities
	accounts   []xdr.AccountId
	hints      [][4]byte
	asset      xdr.Asset
	tokenID    xdr.ContractId
	nativeID   xdr.ContractId
	appID      xdr.ContractId
	appWASM    []byte
	appWASMKey xdr.Hash
}

func derive(seed int64, label string, i int) [32]byte {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(seed))
	binary.BigEndian.PutUint64(b[8:], uint64(i))
	return sha256.Sum256(append([]byte("ozmon-synthetic|"+label+"|"), b[:]...))
}

func newSynthKeys(seed int64, passphrase string) (*synthKeys, error) {
	if passphrase == "" {
		passphrase = network.TestNetworkPassphrase
	}
	k := &synthKeys{ids: SyntheticIdentities{Passphrase: passphrase}}
	issuer, err := keypair.FromRawSeed(derive(seed, "issuer", 0))
	if err != nil {
		return nil, err
	}
	k.ids.Issuer = issuer.Address()
	for i := range SyntheticAccounts {
		kp, err := keypair.FromRawSeed(derive(seed, "account", i))
		if err != nil {
			return nil, err
		}
		aid, err := xdr.AddressToAccountId(kp.Address())
		if err != nil {
			return nil, err
		}
		k.ids.Accounts = append(k.ids.Accounts, kp.Address())
		k.accounts = append(k.accounts, aid)
		k.hints = append(k.hints, kp.Hint())
	}
	k.asset, err = xdr.NewCreditAsset(syntheticTokenCode, k.ids.Issuer)
	if err != nil {
		return nil, err
	}
	k.ids.Asset = k.asset.StringCanonical()
	if k.tokenID, err = k.asset.ContractID(passphrase); err != nil {
		return nil, err
	}
	if k.nativeID, err = xdr.MustNewNativeAsset().ContractID(passphrase); err != nil {
		return nil, err
	}
	k.appID = derive(seed, "app", 0)
	k.appWASM = SyntheticAppWASM()
	k.appWASMKey = sha256.Sum256(k.appWASM)
	for _, c := range []struct {
		dst *string
		id  xdr.ContractId
	}{{&k.ids.Token, k.tokenID}, {&k.ids.Native, k.nativeID}, {&k.ids.App, k.appID}} {
		if *c.dst, err = strkey.Encode(strkey.VersionByteContract, c.id[:]); err != nil {
			return nil, err
		}
	}
	return k, nil
}
