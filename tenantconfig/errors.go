package tenantconfig

import (
	"errors"
	"fmt"

	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// Code classifies an Error for callers (the API's extensions.code).
type Code string

// The codes Apply returns.
const (
	CodeValidationFailed Code = "VALIDATION_FAILED"
	CodeQuotaExceeded    Code = "QUOTA_EXCEEDED"
	CodeNotFound         Code = "NOT_FOUND"
	CodeConflict         Code = "CONFLICT"
	CodeForbidden        Code = "FORBIDDEN"
)

// Problem is one thing wrong with a change: the file (as the CLI names
// it: "monitors/m.json") and JSON path it concerns, and the message the
// CLI prints for it.
type Problem struct {
	File    string
	Path    string
	Message string
}

// Error is a refused change. Nothing was written.
type Error struct {
	Code    Code
	Message string
	// Quota and Limit name the quota a QUOTA_EXCEEDED hit.
	Quota string
	Limit int
	// Problems lists what VALIDATION_FAILED found, each as `ozmon
	// validate` prints it.
	Problems []Problem
}

func (e *Error) Error() string {
	if e.Code == CodeValidationFailed && len(e.Problems) > 0 {
		return fmt.Sprintf("%s: %s (%d problem(s); first: %s)", e.Code, e.Message, len(e.Problems), e.Problems[0].Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// CodeOf returns err's Code, or "" when err is not an *Error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func validationError(es ozconfig.ValidationErrors) *Error {
	out := &Error{Code: CodeValidationFailed, Message: "the configuration does not validate"}
	for _, v := range es {
		out.Problems = append(out.Problems, Problem{File: v.Source, Path: v.Path, Message: v.Error()})
	}
	return out
}

func notFound(kind, name string) *Error {
	return &Error{Code: CodeNotFound, Message: fmt.Sprintf("%s %q not found", kind, ozconfig.Clip(name))}
}

func quotaExceeded(quota string, limit int, what string) *Error {
	return &Error{Code: CodeQuotaExceeded, Quota: quota, Limit: limit,
		Message: fmt.Sprintf("%s is %d: %s", quota, limit, what)}
}
