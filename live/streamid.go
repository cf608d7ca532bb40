package live

import (
	"fmt"
	"strconv"
	"strings"
)

// streamID is a Redis Stream entry id, <milliseconds>-<sequence>, kept as
// numbers so ids compare correctly ("10-0" > "9-0").
type streamID struct{ ms, seq uint64 }

func parseStreamID(s string) (streamID, error) {
	ms, seq, ok := strings.Cut(s, "-")
	if !ok {
		return streamID{}, fmt.Errorf("event id %q: want <milliseconds>-<sequence>", s)
	}
	a, err1 := strconv.ParseUint(ms, 10, 64)
	b, err2 := strconv.ParseUint(seq, 10, 64)
	if err1 != nil || err2 != nil {
		return streamID{}, fmt.Errorf("event id %q: want <milliseconds>-<sequence>", s)
	}
	return streamID{a, b}, nil
}

func (id streamID) String() string {
	return strconv.FormatUint(id.ms, 10) + "-" + strconv.FormatUint(id.seq, 10)
}

func (id streamID) less(o streamID) bool {
	return id.ms < o.ms || (id.ms == o.ms && id.seq < o.seq)
}

func (id streamID) isZero() bool { return id == streamID{} }
