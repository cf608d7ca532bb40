package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/replay"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tasks"
	"github.com/redis/go-redis/v9"
)

const adminUsage = `usage: ozmon admin <what> [flags]

  queues                                   sizes and latency of every queue
  ledgers [--limit N]                      per network: last ledger scheduled, last up to which
                                           every ledger completed, and the unfinished ones
                                           (fanned out?, batches pending, re-drives)
  archived list   [--queue Q] [--limit N]  dead-lettered tasks (all queues by default)
  archived retry  [--queue Q] (--id ID | --all)
  archived delete [--queue Q] (--id ID | --all)
                                           --id refuses a task that is not archived (completed,
                                           pending, active, scheduled, retrying) and says its state
  deliveries list  [--tenant ID] [--monitor M] [--status S] [--since T] [--until T] [--task-id ID] [--limit N]
  deliveries retry [--tenant ID] [--monitor M] [--since T] [--until T] [--task-id ID] [--limit N] [--force]
                                           resend failed and archived notifications; one delivered
                                           or in doubt (sending, in_doubt: the receiver may have it)
                                           is skipped, and resent only with --force
  secrets status                           rows with plaintext secrets, rows sealed under each key
  secrets rotate                           move every secret under secrets.active (docs/secrets.md)
  regions list                             regions: last heartbeat, alive, who serves their tenants
  regions handback --region R              hand R's tenants back from the region that took them over,
                                           once their outstanding work there is finished
  tenants create|list|set, keys create|list|revoke, users create
                                           tenants, quotas, API keys and users ('ozmon admin keys -h')

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
	if what == "secrets" {
		return runAdminSecrets(ctx, rest, stdout, stderr)
	}
	if what == "regions" {
		return runAdminRegions(ctx, rest, stdout, stderr)
	}
	if what == "tenants" || what == "keys" || what == "users" {
		return runAdminAccounts(ctx, what, rest, os.Stdin, stdout, stderr)
	}
	if what != "queues" && what != "ledgers" {
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
	status := fs.String("status", "", "delivery status: pending, sending, delivered, failed, archived, in_doubt")
	since := fs.String("since", "", "from this time (RFC 3339)")
	until := fs.String("until", "", "before this time (RFC 3339)")
	taskID := fs.String("task-id", "", "deliver task id")
	force := fs.Bool("force", false, "deliveries retry: resend also notifications delivered or in doubt")
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
	// Every command below reads asynq's queue registry (Inspector.Queues;
	// GetQueueInfo and GetTaskInfo refuse a queue missing from it), which
	// Redis data loss empties for good: repair it before reading.
	added, err := tasks.RepairQueueRegistry(ctx, rdb)
	if err != nil {
		return err
	}
	if len(added) > 0 {
		fmt.Fprintf(stderr, "asynq's queue registry lacked %s, which hold tasks (did Redis lose data?): re-registered\n", strings.Join(added, ", "))
	}
	queues := tasks.AllQueues()
	if *queue != "" {
		queues = []string{*queue}
	}
	switch what + " " + verb {
	case "queues ":
		return adminQueues(insp, stdout)
	case "ledgers ":
		st, closeStore, err := openStore(ctx, cfg, newLogger(cfg, stderr))
		if err != nil {
			return err
		}
		defer closeStore()
		return adminLedgers(ctx, st, *limit, stdout)
	case "archived list":
		return adminArchivedList(insp, queues, *limit, stdout)
	case "archived retry", "archived delete":
		if (*id == "") == !*all {
			return errors.New("give exactly one of --id or --all")
		}
		if *id != "" {
			return adminArchivedOne(ctx, rdb, insp, queues, *id, verb, stdout)
		}
		return adminArchivedAll(insp, queues, verb, stdout)
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
		return adminDeliveriesRetry(ctx, st, rdb, insp, f, *force, stdout)
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

// adminArchivedOne retries or deletes the task id in the queues where it
// is archived. A task in any other state is refused, naming the state: a
// completed one would run again (asynq's RunTask re-runs it: a
// notification sent twice), and the others run, or will, on their own.
func adminArchivedOne(ctx context.Context, rdb redis.UniversalClient, insp *asynq.Inspector, queues []string, id, verb string, w io.Writer) error {
	var refused []string
	n := 0
	for _, q := range queues {
		var err error
		if verb == "retry" {
			err = tasks.RunTask(ctx, rdb, q, id, asynq.TaskStateArchived)
		} else {
			err = deleteArchived(insp, q, id)
		}
		var se *tasks.StateError
		switch {
		case errors.As(err, &se):
			refused = append(refused, fmt.Sprintf("task %s in queue %s is %s, not archived: %s", id, q, se.State, whyNotArchived(se.State, verb)))
		case errors.Is(err, asynq.ErrTaskNotFound), errors.Is(err, asynq.ErrQueueNotFound):
		case err != nil:
			return fmt.Errorf("%s archived task %s of queue %s: %w", verb, id, q, err)
		default:
			n++
		}
	}
	if n == 0 && len(refused) > 0 {
		return fmt.Errorf("%s refused: %s", verb, strings.Join(refused, "; "))
	}
	if n == 0 {
		return fmt.Errorf("task %s is in none of the queues %s", id, strings.Join(queues, ", "))
	}
	for _, r := range refused {
		fmt.Fprintf(w, "left alone: %s\n", r)
	}
	fmt.Fprintf(w, "%s %d task(s)\n", map[string]string{"retry": "re-queued", "delete": "deleted"}[verb], n)
	return nil
}

// deleteArchived deletes task id of queue q if it is archived. Deleting a
// completed task would free its TaskID, so a duplicate enqueue (a second
// scheduler, a retried fan-out) would run the step again.
func deleteArchived(insp *asynq.Inspector, q, id string) error {
	info, err := insp.GetTaskInfo(q, id)
	if err != nil {
		return err
	}
	if info.State != asynq.TaskStateArchived {
		return &tasks.StateError{Queue: q, ID: id, State: info.State}
	}
	return insp.DeleteTask(q, id)
}

// whyNotArchived explains, to an operator, why a task in state s is not
// re-run (verb "retry") or deleted by hand.
func whyNotArchived(s asynq.TaskState, verb string) string {
	switch {
	case s == asynq.TaskStateCompleted && verb == "retry":
		return "it already ran successfully, and running it again would repeat it (a notification sent twice)"
	case s == asynq.TaskStateCompleted:
		return "it already ran successfully, and deleting it would free its TaskID, so a duplicate enqueue would run it again"
	}
	switch s {
	case asynq.TaskStateActive:
		return "it is running now"
	case asynq.TaskStatePending:
		return "it is queued and will run"
	case asynq.TaskStateScheduled:
		return "it is scheduled and will run at its time"
	case asynq.TaskStateRetry:
		return "it failed and will be retried on its own"
	case asynq.TaskStateAggregating:
		return "it waits in a group and will run with it"
	}
	return "only archived tasks are re-run or deleted by hand"
}

func adminArchivedAll(insp *asynq.Inspector, queues []string, verb string, w io.Writer) error {
	known, err := knownQueues(insp)
	if err != nil {
		return err
	}
	n := 0
	for _, q := range queues {
		if !known[q] {
			continue
		}
		var c int
		var err error
		if verb == "retry" {
			c, err = insp.RunAllArchivedTasks(q)
		} else {
			c, err = insp.DeleteAllArchivedTasks(q)
		}
		n += c
		if err != nil && !errors.Is(err, asynq.ErrQueueNotFound) {
			return fmt.Errorf("%s archived tasks of queue %s: %w", verb, q, err)
		}
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

// adminDeliveriesRetry re-queues the deliver tasks of the matching
// records that failed or were archived, with replay.Retry's rules, and
// prints every skip with the task id and a summary counting them by
// reason.
func adminDeliveriesRetry(ctx context.Context, st store.DeliveryLog, rdb redis.UniversalClient, insp *asynq.Inspector,
	f store.DeliveryFilter, force bool, w io.Writer) error {
	res, err := replay.Retry(ctx, st, rdb, insp, f, force)
	if err != nil {
		return err
	}
	if res.Truncated {
		fmt.Fprintf(w, "only the first %d matching records are considered: narrow the filter or raise --limit (at most 1000)\n", len(res.Outcomes))
	}
	for _, o := range res.Outcomes {
		switch {
		case o.Err != nil:
			fmt.Fprintf(w, "failed %s: %v\n", o.Delivery.TaskID, o.Err)
		case o.Reason != "":
			fmt.Fprintf(w, "skipped %s: %s\n", o.Delivery.TaskID, replay.Explain(o.Reason))
		case o.FromLog:
			fmt.Fprintf(w, "re-queued %s from the delivery log: its task had left Redis\n", o.Delivery.TaskID)
		}
	}
	requeued, skipped, failed := res.Counts()
	var counts []string
	total := 0
	for _, r := range replay.Reasons() {
		if n := skipped[r.Name]; n > 0 {
			counts = append(counts, fmt.Sprintf("%s %d", r.Name, n))
			total += n
		}
	}
	summary := fmt.Sprintf("re-queued %d, skipped %d", requeued, total)
	if total > 0 {
		summary += " (" + strings.Join(counts, ", ") + ")"
	}
	if failed > 0 {
		summary += fmt.Sprintf(", failed %d", failed)
	}
	fmt.Fprintln(w, summary)
	if failed > 0 {
		return fmt.Errorf("%d deliveries could not be re-queued (see above)", failed)
	}
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

// adminLedgers shows each network's durable progress: what the scheduler
// enqueued, what completed, and what is unfinished — after Redis lost
// data, the ledgers the scheduler is re-driving.
func adminLedgers(ctx context.Context, st store.Store, limit int, w io.Writer) error {
	p, ok := st.(store.Progress)
	lister, ok2 := st.(interface {
		Cursors(context.Context) ([]store.Cursor, error)
	})
	if !ok || !ok2 {
		return errors.New("ledger progress is kept only in PostgreSQL: set database_url")
	}
	cursors, err := lister.Cursors(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NETWORK\tSCHEDULED\tCOMPLETED\tUNFINISHED")
	var open []store.LedgerProgress
	for _, c := range cursors {
		done, known, unfinished, err := p.Incomplete(ctx, c.Network, limit)
		if err != nil {
			return err
		}
		completed := "-"
		if known {
			completed = strconv.FormatUint(done, 10)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\n", c.Network, c.Ledger, completed, len(unfinished))
		open = append(open, unfinished...)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(open) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NETWORK\tLEDGER\tSCHEDULED AT\tFANNED OUT\tBATCHES PENDING\tRE-DRIVES")
	for _, l := range open {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%v\t%d\t%d\n", l.Network, l.Ledger, l.ScheduledAt.UTC().Format(time.RFC3339), l.FannedOut, len(l.Pending), l.Redrives)
	}
	return tw.Flush()
}
