package tasks

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
)

// TypeEvaluateTenants evaluates a batch of tenants' monitors against one
// cached ledger.
const TypeEvaluateTenants = "evaluate-tenants"

// EvaluateTenants is one batch of tenants for one ledger.
type EvaluateTenants struct {
	V       int    `json:"v"`
	Network string `json:"network"`
	Ledger  uint64 `json:"ledger"`
	// Batch is the batch's key: stable across ledgers for consistent
	// hashing, so the TaskID is deterministic for a given ledger.
	Batch   string   `json:"batch"`
	Tier    Tier     `json:"tier"`
	Tenants []string `json:"tenants"` // tenant ids
	// BlockHash pins the block version evaluated: after a reorganisation a
	// worker's cache may still hold the replaced block of this height.
	BlockHash string `json:"block_hash,omitempty"`
	// ScheduledAt is carried from FetchBlock for latency accounting.
	ScheduledAt time.Time `json:"scheduled_at,omitzero"`
	// Region is the lane's region (see Lane); empty without regions.
	Region string `json:"region,omitempty"`
}

func (EvaluateTenants) Type() string    { return TypeEvaluateTenants }
func (p EvaluateTenants) Queue() string { return EvalQueue(p.Tier) }
func (p EvaluateTenants) TaskID() string {
	return fmt.Sprintf("eval:%s:%d:%s", Lane(p.Network, p.Region), p.Ledger, p.Batch)
}

// Retention: a fetch-block retry re-enqueues its batches; they must still be
// found for as long as a fetch-block can be retried.
func (EvaluateTenants) Options() []asynq.Option { return options(5, 60*time.Second, 6*time.Hour) }

// MarshalJSON stamps the payload version.
func (p EvaluateTenants) MarshalJSON() ([]byte, error) {
	type plain EvaluateTenants
	p.V = payloadVersion
	return json.Marshal(plain(p))
}

// payloadVersion lets Decode check the version after one decoding pass.
func (p *EvaluateTenants) payloadVersion() int { return p.V }
