// Package params is the library behind `rdsctl params set|reset|apply|diff|export`:
// it turns what an engineer asked for (P=V arguments, or a desired-state file)
// into a validated, chunked plan of RDS parameter group calls, sends it, and
// reports exactly what landed.
//
// The package exists because changing a parameter group is where engineers
// get hurt: RDS refuses `immediate` on a static parameter without saying
// which one, refuses more than 20 parameters in one call, accepts a typo as
// a name that targets nothing, and declarative tools that compare raw
// strings show differences forever. The pipeline is therefore:
//
//	ParseAssignments -> Validate (every problem, before any call that changes anything)
//	                 -> PlanModify / PlanReset (no-ops skipped, chunks of 20, co-dependents together)
//	                 -> Apply (chunk by chunk; *PartialError says what landed)
//
// and, for files, Parse -> PlanFile -> ApplyActions, which converges: a
// second run after applying plans nothing.
//
// Everything except Apply and ApplyActions is a pure function over the
// SDK's types.Parameter as DescribeDBParameters returns it (the cloud
// package fetches those). Values are compared through params/value, so
// "ON" and "1", "64M" and "67108864", or a reordered list are never a change.
package params
