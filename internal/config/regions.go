package config

import (
	"fmt"
	"time"

	"github.com/ozmon/ozmon/tasks"
)

// validateRegions checks region and regions.*: names a lane can carry,
// a default home whenever a region is named, and a heartbeat that fits
// several times in its timeout.
func (c Config) validateRegions() []error {
	var errs []error
	const want = "want 1 to 63 of a-z, 0-9, '-', '_', starting with a letter or digit"
	if c.Region != "" && !tasks.ValidRegion(c.Region) {
		errs = append(errs, fmt.Errorf("region: %q: %s", c.Region, want))
	}
	switch d := c.Regions.DefaultHome; {
	case d != "" && !tasks.ValidRegion(d):
		errs = append(errs, fmt.Errorf("regions.default_home: %q: %s", d, want))
	case d == "" && c.Region != "":
		errs = append(errs, fmt.Errorf("regions.default_home: required with region %q: the region that serves tenants without a home region (the same in every region)", c.Region))
	}
	timeout, every := c.Regions.HeartbeatTimeout.D(), c.Regions.HeartbeatInterval.D()
	if timeout < time.Second {
		errs = append(errs, fmt.Errorf("regions.heartbeat_timeout: %s is less than 1s", timeout))
	}
	if every < 0 || (every > 0 && every*2 > timeout) {
		errs = append(errs, fmt.Errorf("regions.heartbeat_interval: %s must be positive and at most half of regions.heartbeat_timeout (%s)", every, timeout))
	}
	return errs
}
