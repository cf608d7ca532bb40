package live

import (
	"errors"
	"fmt"
)

var (
	// ErrSlowSubscriber closes a subscription whose buffer was full when
	// an event arrived: it fell too far behind and is cut off rather than
	// let the reader (and every other subscriber) wait for it.
	ErrSlowSubscriber = errors.New("live: subscriber too slow: its buffer of events is full")
	// ErrOutsideWindow: the events after the id a subscriber resumes from
	// are no longer all retained (the stream is bounded), so resuming
	// would hide a gap.
	ErrOutsideWindow = errors.New("live: the resume id is outside the retained window")
	// ErrClosed closes a subscription its owner closed, or every
	// subscription of a hub that was closed.
	ErrClosed = errors.New("live: subscription closed")
)

// OutsideWindowError is ErrOutsideWindow with what a client needs to
// decide: the id it asked to resume after, and the oldest id the stream
// still holds ("" when it holds none). Resuming from just before Oldest
// (or subscribing afresh) is the client's choice, knowing events were lost.
type OutsideWindowError struct {
	After  string
	Oldest string
}

func (e *OutsideWindowError) Error() string {
	if e.Oldest == "" {
		return fmt.Sprintf("%v: events after %s are no longer retained and the stream holds none", ErrOutsideWindow, e.After)
	}
	return fmt.Sprintf("%v: events after %s are no longer all retained; the oldest retained event is %s", ErrOutsideWindow, e.After, e.Oldest)
}

func (e *OutsideWindowError) Unwrap() error { return ErrOutsideWindow }
