// Command rdsctl edits Amazon RDS parameter groups safely, triggers and
// times failovers, confirms what the database server actually runs, and
// checks a fleet against a policy in CI. See root.go for the command tree
// and the exit-code contract.
package main

import "os"

func main() { os.Exit(Main()) }
