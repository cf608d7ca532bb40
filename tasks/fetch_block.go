package tasks

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
)

// TypeFetchBlock fetches, decodes and caches one ledger and fans it out.
const TypeFetchBlock = "fetch-block"

// FetchBlock asks for one ledger of one network.
type FetchBlock struct {
	V int `json:"v"`
	// Network is the network, or a region's lane of it ("net@region",
	// see Lane): the scheduler of a lane schedules the lane's name.
	Network string `json:"network"`
	Ledger  uint64 `json:"ledger"`
	// ScheduledAt is when the scheduler saw the ledger at the tip; it
	// feeds the ledger-to-notification latency metric.
	ScheduledAt time.Time `json:"scheduled_at,omitzero"`
	// Redrive counts how often the scheduler drove this ledger again after
	// Redis lost its work (0: the first time). Each re-drive is a new task,
	// so it is not refused by the lost one's TaskID still being taken.
	Redrive int `json:"redrive,omitempty"`
}

func (FetchBlock) Type() string  { return TypeFetchBlock }
func (FetchBlock) Queue() string { return QueueBlocks }
func (p FetchBlock) TaskID() string {
	if p.Redrive > 0 {
		return fmt.Sprintf("fetch-block:%s:%d:r%d", p.Network, p.Ledger, p.Redrive)
	}
	return fmt.Sprintf("fetch-block:%s:%d", p.Network, p.Ledger)
}

// FetchBlock retention covers the scheduler's whole catch-up horizon: a
// second scheduler (or a restart from an older cursor) must find the id
// still taken.
func (FetchBlock) Options() []asynq.Option { return options(8, 30*time.Second, 24*time.Hour) }

// MarshalJSON stamps the payload version.
func (p FetchBlock) MarshalJSON() ([]byte, error) {
	type plain FetchBlock
	p.V = payloadVersion
	return json.Marshal(plain(p))
}

// payloadVersion lets Decode check the version after one decoding pass.
func (p *FetchBlock) payloadVersion() int { return p.V }
