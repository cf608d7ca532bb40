package notify

import (
	"context"
	"time"

	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// RunCondition runs one of a monitor's trigger_conditions scripts once, in the sandbox of
// script triggers (EnableScripts required, ScriptDir confinement, timeout, empty environment,
// bounded output), with stdin as its input, and returns its stdout. Reading the verdict off
// the last line is the caller's: the script channel itself stays unexported.
func RunCondition(ctx context.Context, c ozconfig.TriggerCondition, stdin []byte, opts ...Option) ([]byte, error) {
	sc, err := newScript("trigger_condition", scriptConfig{
		Language: string(c.Language), Path: c.ScriptPath, Arguments: c.Arguments,
		Timeout: time.Duration(c.TimeoutMs) * time.Millisecond,
	}, opts...)
	if err != nil {
		return nil, err
	}
	res, err := sc.Run(ctx, stdin)
	if err != nil {
		return nil, err
	}
	return res.Stdout, nil
}
