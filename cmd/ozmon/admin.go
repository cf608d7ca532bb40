package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tasks"
)

const adminUsage = `usage: ozmon admin <what> [flags]

  queues                                   sizes and latency of every queue
  archived list   [--queue Q] [--limit N]  dead-lettered tasks (all queues by default)
  archived retry  [--queue Q] (--id ID | --all)
  archived delete [--queue Q] (--id ID | --all)
  deliveries list  [--tenant ID] [--monitor M] [--status S] [--since T] [--until T] [--task-id ID] [--limit N]
  deliveries retry [--tenant ID] [--monitor M] [--since T] [--until T] [--task-id ID] [--force]
                                           resend archived notifications; one already delivered
                                           only with --force

Times are RFC 3339. The asynq CLI works on the same Redis too (see README).`

// runAdmin is what operators use for the dead-letter queue and replays:
// the asynq CLI cannot be installed from the module proxy, so ozmon
// carries the few commands that matter.
func runAdmin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stderr, adminUsage)
		return exitError{2}
	}
	what, verb := args[0], ""
	rest := args[1:]
	if what != "queues" {
		if len(rest) == 0 {
			fmt.Fprintln(stderr, adminUsage)
			return exitError{2}
		}
		verb, rest = rest[0], rest[1:]
	}
	fs := flag.NewFlagSet("admin "+what+" "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cf := addCommon(fs)
	queue := fs.String("queue", "", "queue name (default: all)")
	id := fs.String("id", "", "task id")
	all := fs.Bool("all", false, "every archived task of the queue(s)")
	limit := fs.Int("limit", 100, "at most this many rows")
	tenant := fs.String("tenant", "", "tenant id")
	mon := fs.String("monitor", "", "monitor name")
	status := fs.String("status", "", "delivery status: pending, sending, delivered, failed, archived")
	since := fs.String("since", "", "from this time (RFC 3339)")
	until := fs.String("until", "", "before this time (RFC 3339)")
	taskID := fs.String("task-id", "", "deliver task id")
	force := fs.Bool("force", false, "deliveries retry: resend even notifications already delivered")
	cfg, err := cf.parseAndLoad(fs, rest)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	routeRedisLogs(log)
	rdb, err := openRedis(ctx, cfg.RedisURL)
	if err != nil {
		return err
	}
	defer rdb.Close()
	insp := asynq.NewInspectorFromRedisClient(rdb)
	queues := tasks.AllQueues()
	if *queue != "" {
		queues = []string{*queue}
	}
	switch what + " " + verb {
	case "queues ":
		return adminQueues(insp, stdout)
	case "archived list":
		return adminArchivedList(insp, queues, *limit, stdout)
	case "archived retry", "archived delete":
		if (*id == "") == !*all {
			return errors.New("give exactly one of --id or --all")
		}
		return adminArchivedAct(insp, queues, *id, verb, stdout)
	case "deliveries list", "deliveries retry":
		st, closeStore, err := openStore(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer closeStore()
		f := store.DeliveryFilter{TenantID: *tenant, Monitor: *mon, TaskID: *taskID, Status: store.DeliveryStatus(*status), Limit: *limit}
		if f.Since, err = parseTime(*since); err != nil {
			return err
		}
		if f.Until, err = parseTime(*until); err != nil {
			return err
		}
		if verb == "list" {
			return adminDeliveriesList(ctx, st, f, stdout)
		}
		return adminDeliveriesRetry(ctx, st, insp, f, *force, stdout)
	}
	fmt.Fprintln(stderr, adminUsage)
	return exitError{2}
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, fmt.Errorf("time %q: want RFC 3339, e.g. 2026-11-27T10:00:00Z", s)
	}
	return t, nil
}

func adminQueues(insp *asynq.Inspector, w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "QUEUE\tPENDING\tACTIVE\tSCHEDULED\tRETRY\tARCHIVED\tCOMPLETED\tLATENCY\tPAUSED")
	known, err := knownQueues(insp)
	if err != nil {
		return err
	}
	for _, q := range tasks.AllQueues() {
		if !known[q] {
			fmt.Fprintf(tw, "%s\t0\t0\t0\t0\t0\t0\t-\tfalse\n", q)
			continue
		}
		info, err := insp.GetQueueInfo(q)
		if err != nil {
			return fmt.Errorf("queue %s: %w", q, err)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%v\n", q, info.Pending, info.Active, info.Scheduled, info.Retry,
			info.Archived, info.Completed, info.Latency.Round(time.Millisecond), info.Paused)
	}
	return tw.Flush()
}

// knownQueues lists the queues asynq has keys for; reading a queue it has
// never seen is an error in asynq, and simply empty for us.
func knownQueues(insp *asynq.Inspector) (map[string]bool, error) {
	qs, err := insp.Queues()
	if err != nil {
		return nil, fmt.Errorf("list queues: %w", err)
	}
	known := make(map[string]bool, len(qs))
	for _, q := range qs {
		known[q] = true
	}
	return known, nil
}

func adminArchivedList(insp *asynq.Inspector, queues []string, limit int, w io.Writer) error {
	known, err := knownQueues(insp)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "QUEUE\tID\tTYPE\tRETRIED\tFAILED AT\tLAST ERROR")
	for _, q := range queues {
		if !known[q] {
			continue
		}
		list, err := insp.ListArchivedTasks(q, asynq.PageSize(limit))
		if errors.Is(err, asynq.ErrQueueNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("queue %s: %w", q, err)
		}
		for _, t := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", q, t.ID, t.Type, t.Retried, t.LastFailedAt.Format(time.RFC3339), oneLine(t.LastErr))
		}
	}
	return tw.Flush()
}

func adminArchivedAct(insp *asynq.Inspector, queues []string, id, verb string, w io.Writer) error {
	known, err := knownQueues(insp)
	if err != nil {
		return err
	}
	n := 0
	for _, q := range queues {
		if !known[q] {
			continue
		}
		var err error
		switch {
		case id != "" && verb == "retry":
			err = insp.RunTask(q, id)
			if err == nil {
				n++
			}
		case id != "":
			err = insp.DeleteTask(q, id)
			if err == nil {
				n++
			}
		case verb == "retry":
			var c int
			c, err = insp.RunAllArchivedTasks(q)
			n += c
		default:
			var c int
			c, err = insp.DeleteAllArchivedTasks(q)
			n += c
		}
		if err != nil && !errors.Is(err, asynq.ErrQueueNotFound) && !errors.Is(err, asynq.ErrTaskNotFound) {
			return fmt.Errorf("queue %s: %w", q, err)
		}
	}
	if id != "" && n == 0 {
		return fmt.Errorf("task %s is not archived in %v", id, queues)
	}
	fmt.Fprintf(w, "%s %d task(s)\n", map[string]string{"retry": "re-queued", "delete": "deleted"}[verb], n)
	return nil
}

func adminDeliveriesList(ctx context.Context, st store.DeliveryLog, f store.DeliveryFilter, w io.Writer) error {
	list, err := st.ListDeliveries(ctx, f)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TENANT\tMONITOR\tNETWORK\tLEDGER\tTX\tTRIGGER\tSTATUS\tATTEMPTS\tLAST ERROR")
	for _, d := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%d\t%s\n", d.Key.TenantID, d.Key.Monitor, d.Key.Network, d.Key.Ledger,
			short(d.Key.TxHash), d.Key.Trigger, d.Status, d.Attempts, oneLine(d.LastError))
	}
	return tw.Flush()
}

// adminDeliveriesRetry re-queues the archived deliver tasks of the
// matching records. A delivered record is never resent: the handler checks
// it again before sending, so even a racing asynqmon "run" cannot.
func adminDeliveriesRetry(ctx context.Context, st store.DeliveryLog, insp *asynq.Inspector, f store.DeliveryFilter, force bool, w io.Writer) error {
	list, err := st.ListDeliveries(ctx, f)
	if err != nil {
		return err
	}
	var requeued, refused, missing int
	for _, d := range list {
		if d.Status == store.DeliveryDelivered {
			r, ok := st.(store.DeliveryResetter)
			if !force || !ok {
				refused++
				fmt.Fprintf(w, "refused: %s was already delivered (use --force to resend)\n", d.TaskID)
				continue
			}
			if err := r.ResetDelivery(ctx, d.Key); err != nil {
				return err
			}
		}
		ok := false
		for _, t := range tasks.Tiers() {
			if err := insp.RunTask(tasks.NotifyQueue(t), d.TaskID); err == nil {
				ok = true
				break
			}
		}
		if ok {
			requeued++
		} else {
			missing++
			fmt.Fprintf(w, "not found: %s is not archived or retrying (still running, or past its retention)\n", d.TaskID)
		}
	}
	fmt.Fprintf(w, "re-queued %d, refused %d (delivered), not found %d\n", requeued, refused, missing)
	return nil
}

func oneLine(s string) string {
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			return s[:i] + "…"
		}
	}
	return s
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
