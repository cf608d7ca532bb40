package main

import (
	"testing"
)

func TestSameListener(t *testing.T) {
	for _, c := range []struct {
		api, metrics string
		want         bool
	}{
		{"0.0.0.0:3000", ":3000", true},
		{"127.0.0.1:3000", "127.0.0.1:3000", true},
		{"0.0.0.0:8088", ":3000", false},
		{"127.0.0.1:3000", "10.0.0.1:3000", false},
		{"0.0.0.0:3000", "", false},
	} {
		if got := sameListener(c.api, c.metrics); got != c.want {
			t.Errorf("sameListener(%q, %q) = %v", c.api, c.metrics, got)
		}
	}
}
