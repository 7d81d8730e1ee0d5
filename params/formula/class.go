package formula

import "sort"

// Class is a DB instance class and the facts formulas are evaluated with.
//
// MemoryBytes is the class's nominal memory. On AWS, DBInstanceClassMemory
// is somewhat lower because RDS reserves memory for the OS and its agents;
// the reservation is not published, so rdsctl and the lab both use the
// nominal figure. A formula-valued parameter on real AWS can therefore read
// a few percent lower than this table predicts.
type Class struct {
	Name        string
	MemoryBytes int64
	VCPU        int64
}

const gib = 1 << 30

var classes = []Class{
	{"db.t3.micro", 1 * gib, 2},
	{"db.t3.small", 2 * gib, 2},
	{"db.t3.medium", 4 * gib, 2},
	{"db.t3.large", 8 * gib, 2},
	{"db.t4g.micro", 1 * gib, 2},
	{"db.t4g.small", 2 * gib, 2},
	{"db.t4g.medium", 4 * gib, 2},
	{"db.t4g.large", 8 * gib, 2},
	{"db.m5.large", 8 * gib, 2},
	{"db.m5.xlarge", 16 * gib, 4},
	{"db.m6g.large", 8 * gib, 2},
	{"db.m6g.xlarge", 16 * gib, 4},
	{"db.m6i.large", 8 * gib, 2},
	{"db.m7g.large", 8 * gib, 2},
	{"db.r5.large", 16 * gib, 2},
	{"db.r5.xlarge", 32 * gib, 4},
	{"db.r6g.large", 16 * gib, 2},
	{"db.r6g.xlarge", 32 * gib, 4},
	{"db.r6i.large", 16 * gib, 2},
	{"db.r7g.large", 16 * gib, 2},
}

// LookupClass returns the named instance class.
func LookupClass(name string) (Class, bool) {
	for _, c := range classes {
		if c.Name == name {
			return c, true
		}
	}
	return Class{}, false
}

// Classes lists the known instance classes, sorted by name.
func Classes() []Class {
	out := append([]Class(nil), classes...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Vars returns the formula variables for an instance of this class.
func (c Class) Vars(allocatedStorageGiB, port int64) Vars {
	return Vars{
		DBInstanceClassMemory: c.MemoryBytes,
		DBInstanceVCPU:        c.VCPU,
		AllocatedStorage:      allocatedStorageGiB * gib,
		EndPointPort:          port,
	}
}
