package stellar

import (
	"context"
	"errors"
	"fmt"

	"github.com/stellar/go-stellar-sdk/strkey"
	"github.com/stellar/go-stellar-sdk/xdr"

	"github.com/ozmon/ozmon/chain"
)

// ContractSpec reads a contract's interface from the chain: its instance
// entry gives the WASM hash, the code entry gives the WASM, whose
// contractspecv0 section is parsed. A Stellar Asset Contract has no WASM:
// that is ErrNoContractSpec (callers use the fixed SEP-41 token interface).
func (c *Client) ContractSpec(ctx context.Context, contractID string) (*chain.ContractSpec, error) {
	wasm, err := c.contractWASM(ctx, contractID)
	if err != nil {
		return nil, err
	}
	spec, err := parseWASMSpec(wasm)
	if err != nil {
		return nil, fmt.Errorf("contract %s: parse WASM spec: %w", contractID, err)
	}
	return spec, nil
}

// contractWASM returns a contract's WASM code (two getLedgerEntries calls).
func (c *Client) contractWASM(ctx context.Context, contractID string) ([]byte, error) {
	raw, err := strkey.Decode(strkey.VersionByteContract, contractID)
	if err != nil {
		return nil, fmt.Errorf("contract %q: not a C… contract address: %w", contractID, err)
	}
	var cid xdr.ContractId
	copy(cid[:], raw)
	instKey := xdr.LedgerKey{
		Type: xdr.LedgerEntryTypeContractData,
		ContractData: &xdr.LedgerKeyContractData{
			Contract:   xdr.ScAddress{Type: xdr.ScAddressTypeScAddressTypeContract, ContractId: &cid},
			Key:        xdr.ScVal{Type: xdr.ScValTypeScvLedgerKeyContractInstance},
			Durability: xdr.ContractDataDurabilityPersistent,
		},
	}
	entries, err := c.ledgerEntries(ctx, []xdr.LedgerKey{instKey})
	if err != nil {
		return nil, fmt.Errorf("contract %s: read instance: %w", contractID, err)
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("contract %s: %w", contractID, ErrContractNotFound)
	}
	cd, ok := entries[0].Data.GetContractData()
	if !ok {
		return nil, fmt.Errorf("contract %s: instance key answered with a %s entry", contractID, entries[0].Data.Type)
	}
	inst, ok := cd.Val.GetInstance()
	if !ok {
		return nil, fmt.Errorf("contract %s: instance entry holds a %s value", contractID, cd.Val.Type)
	}
	switch inst.Executable.Type {
	case xdr.ContractExecutableTypeContractExecutableStellarAsset:
		return nil, fmt.Errorf("contract %s is a Stellar Asset Contract: %w", contractID, ErrNoContractSpec)
	case xdr.ContractExecutableTypeContractExecutableWasm:
	default:
		return nil, fmt.Errorf("contract %s: executable type %d: %w", contractID, inst.Executable.Type, ErrNoContractSpec)
	}
	if inst.Executable.WasmHash == nil {
		return nil, fmt.Errorf("contract %s: WASM executable without hash", contractID)
	}
	hash := *inst.Executable.WasmHash
	codeKey := xdr.LedgerKey{Type: xdr.LedgerEntryTypeContractCode, ContractCode: &xdr.LedgerKeyContractCode{Hash: hash}}
	entries, err = c.ledgerEntries(ctx, []xdr.LedgerKey{codeKey})
	if err != nil {
		return nil, fmt.Errorf("contract %s: read code %x: %w", contractID, hash[:], err)
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("contract %s: code %x: %w", contractID, hash[:], ErrContractNotFound)
	}
	code, ok := entries[0].Data.GetContractCode()
	if !ok || len(code.Code) == 0 {
		return nil, errors.New("contract " + contractID + ": code entry holds no WASM")
	}
	return code.Code, nil
}
