package tasks_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/tasks"
)

// TestRunTaskOnlyFromTheStatesGiven puts real tasks in every state a
// running server produces (pending, scheduled, active, retry, archived,
// completed) and checks that RunTask moves only those in the states named,
// says which state refused the others, and leaves them untouched — while
// asynq's own Inspector.RunTask re-runs a completed task, which is why
// RunTask exists.
func TestRunTaskOnlyFromTheStatesGiven(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rdb := testkit.RedisClient(t)
	client := asynq.NewClientFromRedisClient(rdb)
	defer client.Close()
	insp := asynq.NewInspectorFromRedisClient(rdb)
	const q = "runtest"
	enqueue := func(typ, id string, opts ...asynq.Option) {
		t.Helper()
		// The caller's options last: they win.
		opts = append([]asynq.Option{asynq.Queue(q), asynq.TaskID(id), asynq.Retention(time.Hour), asynq.MaxRetry(3)}, opts...)
		if _, err := client.EnqueueContext(ctx, asynq.NewTask(typ, nil), opts...); err != nil {
			t.Fatalf("enqueue %s: %v", id, err)
		}
	}
	release := make(chan struct{})
	mux := asynq.NewServeMux()
	mux.HandleFunc("ok", func(context.Context, *asynq.Task) error { return nil })
	mux.HandleFunc("fail", func(context.Context, *asynq.Task) error { return errors.New("receiver down") })
	mux.HandleFunc("hang", func(ctx context.Context, _ *asynq.Task) error {
		select {
		case <-release:
		case <-ctx.Done():
		}
		return nil
	})
	srv := asynq.NewServerFromRedisClient(rdb, asynq.Config{Concurrency: 4, Queues: map[string]int{q: 1},
		TaskCheckInterval: 20 * time.Millisecond, RetryDelayFunc: func(int, error, *asynq.Task) time.Duration { return time.Hour },
		LogLevel: asynq.FatalLevel})
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	defer close(release)
	enqueue("ok", "completed")
	enqueue("ok", "completed-2")
	enqueue("fail", "retry")
	enqueue("hang", "active")
	enqueue("fail", "archived", asynq.MaxRetry(0))
	state := func(id string) asynq.TaskState {
		t.Helper()
		info, err := insp.GetTaskInfo(q, id)
		if err != nil {
			t.Fatalf("task %s: %v", id, err)
		}
		return info.State
	}
	deadline := time.Now().Add(10 * time.Second)
	for state("completed") != asynq.TaskStateCompleted || state("completed-2") != asynq.TaskStateCompleted ||
		state("retry") != asynq.TaskStateRetry || state("active") != asynq.TaskStateActive || state("archived") != asynq.TaskStateArchived {
		if time.Now().After(deadline) {
			t.Fatal("the server did not bring the tasks to their states in 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	srv.Stop() // no more dequeues: what is pending now stays pending
	time.Sleep(100 * time.Millisecond)
	enqueue("ok", "pending")
	enqueue("ok", "scheduled", asynq.ProcessIn(time.Hour))

	for _, c := range []struct {
		id    string
		from  []asynq.TaskState
		moved bool
		was   asynq.TaskState
	}{
		{"completed", []asynq.TaskState{asynq.TaskStateArchived}, false, asynq.TaskStateCompleted},
		{"pending", []asynq.TaskState{asynq.TaskStateArchived, asynq.TaskStateRetry}, false, asynq.TaskStatePending},
		{"active", []asynq.TaskState{asynq.TaskStateArchived, asynq.TaskStateRetry, asynq.TaskStateCompleted}, false, asynq.TaskStateActive},
		{"scheduled", []asynq.TaskState{asynq.TaskStateArchived}, false, asynq.TaskStateScheduled},
		{"retry", []asynq.TaskState{asynq.TaskStateArchived}, false, asynq.TaskStateRetry},
		{"archived", []asynq.TaskState{asynq.TaskStateArchived}, true, asynq.TaskStateArchived},
		{"retry", []asynq.TaskState{asynq.TaskStateArchived, asynq.TaskStateRetry}, true, asynq.TaskStateRetry},
		{"completed-2", []asynq.TaskState{asynq.TaskStateCompleted}, true, asynq.TaskStateCompleted},
	} {
		err := tasks.RunTask(ctx, rdb, q, c.id, c.from...)
		if c.moved {
			if err != nil {
				t.Errorf("RunTask(%s from %v) = %v, want it re-queued", c.id, c.from, err)
			} else if got := state(c.id); got != asynq.TaskStatePending {
				t.Errorf("%s after RunTask is %s, want pending", c.id, got)
			}
			continue
		}
		var se *tasks.StateError
		if !errors.As(err, &se) || se.State != c.was || se.ID != c.id || se.Queue != q {
			t.Errorf("RunTask(%s from %v) = %v, want a StateError saying %s", c.id, c.from, err, c.was)
			continue
		}
		if !strings.Contains(err.Error(), c.was.String()) || !strings.Contains(err.Error(), c.id) {
			t.Errorf("error %q does not name the task and its state", err)
		}
		if got := state(c.id); got != c.was {
			t.Errorf("%s was refused but moved from %s to %s", c.id, c.was, got)
		}
	}

	if err := tasks.RunTask(ctx, rdb, q, "no-such-task", asynq.TaskStateArchived); !errors.Is(err, asynq.ErrTaskNotFound) {
		t.Errorf("RunTask of a missing task = %v, want asynq.ErrTaskNotFound", err)
	}
	if err := tasks.RunTask(ctx, rdb, q, "pending", asynq.TaskStatePending); err == nil || !strings.Contains(err.Error(), "cannot run a task from state pending") {
		t.Errorf("RunTask from pending = %v, want a refusal of the argument", err)
	}
	if err := tasks.RunTask(ctx, rdb, q, "archived"); err == nil || !strings.Contains(err.Error(), "no state") {
		t.Errorf("RunTask without states = %v, want an error", err)
	}

	// The hazard this guards against: asynq re-runs a completed task.
	if err := insp.RunTask(q, "completed"); err != nil {
		t.Fatalf("asynq's Inspector.RunTask on a completed task: %v", err)
	}
	if got := state("completed"); got != asynq.TaskStatePending {
		t.Fatalf("asynq's Inspector.RunTask left a completed task %s; if it now refuses, RunTask's reason changed", got)
	}
}
