package tasks

import (
	"context"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// StateError says a task was not run because of the state it is in.
type StateError struct {
	Queue, ID string
	State     asynq.TaskState
}

func (e *StateError) Error() string {
	return fmt.Sprintf("task %s in queue %s is %s", e.ID, e.Queue, e.State)
}

// runIfScript is asynq v0.26.0's runTaskCmd (internal/rdb/inspect.go)
// restricted to the states the caller names, all of which keep their
// tasks in a zset named after the state. It returns {1, state} when it
// moved the task to pending, {0, ""} when the task does not exist, and
// {-1, state} when the task is in another state.
//
// KEYS[1] asynq:{<queue>}:t:<id>, KEYS[2] asynq:{<queue>}:pending;
// ARGV[1] id, ARGV[2] asynq:{<queue>}:, ARGV[3…] the states allowed.
var runIfScript = redis.NewScript(`
local state = redis.call("HGET", KEYS[1], "state")
if not state then
	return {0, ""}
end
for i = 3, #ARGV do
	if ARGV[i] == state then
		if redis.call("ZREM", ARGV[2] .. state, ARGV[1]) == 0 then
			return redis.error_reply("task " .. ARGV[1] .. " is " .. state .. " but not in " .. ARGV[2] .. state)
		end
		redis.call("LPUSH", KEYS[2], ARGV[1])
		redis.call("HSET", KEYS[1], "state", "pending")
		return {1, state}
	end
end
return {-1, state}
`)

// RunTask moves task id of queue to pending — to run at once — only if it
// is in one of the states from (scheduled, retry, archived, completed).
// Otherwise it returns a *StateError naming the task's state, or an error
// wrapping asynq.ErrTaskNotFound.
//
// Why not asynq's Inspector.RunTask: it runs a task in any state but
// pending and active — a completed task too, so a retained deliver task
// would send its notification again — and checking the state first with
// GetTaskInfo leaves a window in which the task can complete. Here the
// check and the move are one script.
func RunTask(ctx context.Context, rdb redis.UniversalClient, queue, id string, from ...asynq.TaskState) error {
	if len(from) == 0 {
		return fmt.Errorf("run task %s in queue %s: no state to run it from", id, queue)
	}
	argv := []any{id, "asynq:{" + queue + "}:"}
	for _, s := range from {
		switch s {
		case asynq.TaskStateScheduled, asynq.TaskStateRetry, asynq.TaskStateArchived, asynq.TaskStateCompleted:
			argv = append(argv, s.String())
		default:
			return fmt.Errorf("run task %s in queue %s: cannot run a task from state %s", id, queue, s)
		}
	}
	keys := []string{"asynq:{" + queue + "}:t:" + id, "asynq:{" + queue + "}:pending"}
	res, err := runIfScript.Run(ctx, rdb, keys, argv...).Slice()
	if err != nil {
		return fmt.Errorf("run task %s in queue %s: %w", id, queue, err)
	}
	if len(res) != 2 {
		return fmt.Errorf("run task %s in queue %s: unexpected script reply %v", id, queue, res)
	}
	code, _ := res[0].(int64)
	state, _ := res[1].(string)
	switch code {
	case 1:
		return nil
	case 0:
		return fmt.Errorf("run task %s in queue %s: %w", id, queue, asynq.ErrTaskNotFound)
	}
	st, err := parseTaskState(state)
	if err != nil {
		return fmt.Errorf("run task %s in queue %s: %w", id, queue, err)
	}
	return &StateError{Queue: queue, ID: id, State: st}
}

// parseTaskState is the inverse of asynq.TaskState.String, which asynq
// does not export.
func parseTaskState(s string) (asynq.TaskState, error) {
	for _, st := range []asynq.TaskState{asynq.TaskStateActive, asynq.TaskStatePending, asynq.TaskStateScheduled,
		asynq.TaskStateRetry, asynq.TaskStateArchived, asynq.TaskStateCompleted, asynq.TaskStateAggregating} {
		if st.String() == s {
			return st, nil
		}
	}
	return 0, errors.New("unknown task state " + s)
}
