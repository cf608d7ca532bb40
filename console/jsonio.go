package console

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
)

func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeJSONError answers a fetch with the API's errors (their messages
// are the caller's to read) or a generic one.
func writeJSONError(w http.ResponseWriter, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		writeJSON(w, http.StatusInternalServerError, map[string]any{"error": "the console could not answer; try again"})
		return
	}
	status := statusOf(ae)
	if ae.code() == "NOT_FOUND" {
		status = http.StatusNotFound
	}
	writeJSON(w, status, map[string]any{"error": ae.Error(), "code": ae.code()})
}
