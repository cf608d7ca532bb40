package asynqmon

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/tasks"
	"github.com/redis/go-redis/v9"
)

// runGuard serves asynqmon's "run" calls itself. asynqmon runs a task by id
// whatever the tab it was clicked in says, and asynq runs completed tasks
// too: "run" on the id of a delivered notification, kept for its
// retention, would queue it again. Here a task runs only if it is in the
// state its URL names (scheduled_tasks, retry_tasks, archived_tasks), in
// one atomic step; anything else is refused with the state it is in.
// Other requests pass through.
func runGuard(rdb redis.UniversalClient, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		queue, state, id, batch, ok := runRoute(r)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		if !batch {
			switch err := tasks.RunTask(r.Context(), rdb, queue, id, state); {
			case err == nil:
				w.WriteHeader(http.StatusNoContent)
			case errors.Is(err, asynq.ErrTaskNotFound):
				http.Error(w, "task not found", http.StatusNotFound)
			default:
				var se *tasks.StateError
				if errors.As(err, &se) {
					http.Error(w, "task "+id+" is "+se.State.String()+", not "+state.String()+": only a "+state.String()+" task can be run from this tab", http.StatusConflict)
					return
				}
				http.Error(w, "run task: "+err.Error(), http.StatusInternalServerError)
			}
			return
		}
		var req struct {
			TaskIDs []string `json:"task_ids"`
		}
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			http.Error(w, "batch run: "+err.Error(), http.StatusBadRequest)
			return
		}
		resp := struct {
			PendingIDs []string `json:"pending_ids"`
			ErrorIDs   []string `json:"error_ids"`
		}{PendingIDs: []string{}, ErrorIDs: []string{}}
		for _, tid := range req.TaskIDs {
			if err := tasks.RunTask(r.Context(), rdb, queue, tid, state); err != nil {
				resp.ErrorIDs = append(resp.ErrorIDs, tid)
			} else {
				resp.PendingIDs = append(resp.PendingIDs, tid)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(resp)
	})
}

// runRoute recognises POST …/api/queues/{q}/{state}_tasks/{id}:run and
// …/{state}_tasks:batch_run. ("run_all" calls are scoped to their state by
// asynq itself.)
func runRoute(r *http.Request) (queue string, state asynq.TaskState, id string, batch, ok bool) {
	if r.Method != http.MethodPost {
		return "", 0, "", false, false
	}
	_, rest, found := strings.Cut(r.URL.EscapedPath(), "/api/queues/")
	if !found {
		return "", 0, "", false, false
	}
	parts := strings.Split(rest, "/")
	var tab string
	switch {
	case len(parts) == 3 && strings.HasSuffix(parts[2], ":run"):
		tab, id = parts[1], strings.TrimSuffix(parts[2], ":run")
	case len(parts) == 2 && strings.HasSuffix(parts[1], ":batch_run"):
		tab, batch = strings.TrimSuffix(parts[1], ":batch_run"), true
	default:
		return "", 0, "", false, false
	}
	switch tab {
	case "scheduled_tasks":
		state = asynq.TaskStateScheduled
	case "retry_tasks":
		state = asynq.TaskStateRetry
	case "archived_tasks":
		state = asynq.TaskStateArchived
	default:
		return "", 0, "", false, false
	}
	// Segments are unescaped one by one: ids hold spaces and colons, and
	// a "/" in one arrives as %2F.
	queue, err1 := url.PathUnescape(parts[0])
	id, err2 := url.PathUnescape(id)
	if err1 != nil || err2 != nil {
		return "", 0, "", false, false
	}
	return queue, state, id, batch, true
}
