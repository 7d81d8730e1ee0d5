package main

// The ParameterApplyStatus values the commands treat specially (status,
// params attach): RDS reports a group's state on an instance as
// in-sync, applying or pending-reboot.
const (
	applyApplying      = "applying"
	applyPendingReboot = "pending-reboot"
)
