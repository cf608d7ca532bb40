package handlers_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/tasks"
)

// BenchmarkRetainedNotificationBytes measures what one retained
// notification costs: its deliver task in Redis (MEMORY USAGE of the task
// hash, real mainnet match), and the compacted payload the delivery log
// keeps instead. Redis holds a finished task for notify.retention, so at a
// steady rate of one notification a second Redis holds retention-seconds
// of tasks: the redis-MB/(notif/s) figures for the old default (168h) and
// the new one (1h).
func BenchmarkRetainedNotificationBytes(b *testing.B) {
	_, blocks := mainnetLedgers(b)
	tg := rareTargets(blocks, 2)[0]
	mon := parseMonitor(b, []byte(fmt.Sprintf(`{"name":"big","paused":false,"networks":[%q],"addresses":[{"address":%q}],
		"match_conditions":{"functions":[],"events":[{"signature":%q}],"transactions":[]},
		"trigger_conditions":[],"triggers":["hook"]}`, mainnet, tg.contract, tg.signature)))
	cm, err := monitor.Compile("acme", mon, nil)
	if err != nil {
		b.Fatal(err)
	}
	var m *monitor.Match
	for _, blk := range blocks {
		ms, err := monitor.NewEngine().EvaluateBlock(b.Context(), blk, []*monitor.CompiledMonitor{cm})
		if err != nil {
			b.Fatal(err)
		}
		if len(ms) > 0 {
			m = ms[0]
			break
		}
	}
	if m == nil {
		b.Fatal("no match")
	}
	ref, err := m.MarshalOZRef()
	if err != nil {
		b.Fatal(err)
	}
	rjs, _ := json.Marshal(ref)
	codec, err := tasks.NewDeliverCodec()
	if err != nil {
		b.Fatal(err)
	}
	opts := testkit.Redis(b)
	client := asynq.NewClient(asynq.RedisClientOpt{Addr: opts.Addr, DB: opts.DB})
	defer client.Close()
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	const n = 500
	var redisBytes, compactBytes, jsonBytes int64
	for b.Loop() {
		if err := rdb.FlushDB(b.Context()).Err(); err != nil {
			b.Fatal(err)
		}
		redisBytes, compactBytes, jsonBytes = 0, 0, 0
		for i := range n {
			p := tasks.Deliver{TenantID: "7b1b1c4e-0000-4000-8000-000000000001", Monitor: "big", Network: mainnet, Ledger: m.Ledger,
				TxHash: fmt.Sprintf("%s-%d", m.Transaction.Hash, i), Trigger: "hook", Tier: tasks.TierDefault,
				Vars: m.Variables(), MatchRef: rjs, LedgerClosedAt: m.LedgerCloseTime, ScheduledAt: time.Now()}
			if _, err := tasks.Enqueue(b.Context(), client, p); err != nil {
				b.Fatal(err)
			}
			used, err := rdb.MemoryUsage(b.Context(), "asynq:{"+p.Queue()+"}:t:"+p.TaskID()).Result()
			if err != nil {
				b.Fatal(err)
			}
			c, err := codec.Compact(p)
			if err != nil {
				b.Fatal(err)
			}
			js, _ := p.MarshalJSON()
			redisBytes += used
			compactBytes += int64(len(c))
			jsonBytes += int64(len(js))
		}
	}
	perTask := float64(redisBytes) / n
	b.ReportMetric(perTask, "redis-B/notif")
	b.ReportMetric(float64(jsonBytes)/n, "json-B/notif")
	b.ReportMetric(float64(compactBytes)/n, "log-payload-B/notif")
	b.ReportMetric(perTask*(168*3600)/1e6, "redis-MB/(notif/s)@168h")
	b.ReportMetric(perTask*float64(tasks.DeliverRetention/time.Second)/1e6, "redis-MB/(notif/s)@1h")
}
