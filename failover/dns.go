package failover

import (
	"net"
	"time"
)

// DNS is what a probe saw of its endpoint's name during a run: on AWS the
// cluster endpoint is a CNAME that RDS moves to the new writer (TTL 5 s),
// and how long after the trigger it moved is part of what clients see. A
// name that is an IP literal, or one that kept its address (the lab), has
// Changed false.
type DNS struct {
	// Name is the endpoint's host as the probe was given it.
	Name string `json:"name"`
	// AddressBefore is the address the last attempt before the trigger
	// dialled (or the first attempt's, without one before).
	AddressBefore string `json:"address_before"`
	// AddressAfter is the last attempt's address.
	AddressAfter string `json:"address_after"`
	Changed      bool   `json:"changed"`
	// ChangedAt is the start of the first attempt at or after the trigger
	// that dialled another address than AddressBefore; nil if none did.
	ChangedAt *time.Time `json:"changed_at"`
	// ChangedAfterSeconds is ChangedAt minus the trigger.
	ChangedAfterSeconds *float64 `json:"changed_after_seconds"`
	// Addresses lists every address dialled, in the order first seen.
	Addresses []string `json:"addresses"`
}

// DNSChange works out, from a probe's observations (oldest first), when
// the endpoint name addr (host:port) resolved to another address after
// trigger. Attempts whose name did not resolve are skipped.
func DNSChange(addr string, obs []Observation, trigger time.Time) DNS {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	d := DNS{Name: host, Addresses: []string{}}
	seen := map[string]bool{}
	for _, o := range obs {
		if o.Address == "" {
			continue
		}
		if !seen[o.Address] {
			seen[o.Address] = true
			d.Addresses = append(d.Addresses, o.Address)
		}
		if o.At.Before(trigger) || d.AddressBefore == "" {
			d.AddressBefore = o.Address
		}
		d.AddressAfter = o.Address
		if !o.At.Before(trigger) && !d.Changed && o.Address != d.AddressBefore {
			d.Changed = true
			d.ChangedAt = ptr(o.At)
			if !trigger.IsZero() {
				d.ChangedAfterSeconds = ptr(o.At.Sub(trigger).Seconds())
			}
		}
	}
	return d
}
