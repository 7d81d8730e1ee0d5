package lab

import (
	"github.com/rdsctl/rdsctl/cloud/lab/catalog"
)

// groupKind tells the DB parameter group actions from their DB cluster
// parameter group twins. The two families of actions follow the same rules
// and share one implementation; only names, ARNs and catalogs differ.
type groupKind int

const (
	kindInstance groupKind = iota
	kindCluster
)

func (k groupKind) groups(st *state) map[string]*paramGroup {
	if k == kindCluster {
		return st.ClusterParamGroups
	}
	return st.ParamGroups
}

// nameParam is the request parameter naming the group.
func (k groupKind) nameParam() string {
	if k == kindCluster {
		return "DBClusterParameterGroupName"
	}
	return "DBParameterGroupName"
}

// noun is the resource type as AWS's messages spell it.
func (k groupKind) noun() string {
	if k == kindCluster {
		return "DBClusterParameterGroup"
	}
	return "DBParameterGroup"
}

func (k groupKind) arnType() string {
	if k == kindCluster {
		return "cluster-pg"
	}
	return "pg"
}

// params is the family's catalog for this kind of group.
func (k groupKind) params(f *family) []catalog.Param {
	if k == kindCluster {
		return f.Cluster
	}
	return f.Instance
}

func (k groupKind) param(f *family, name string) (catalog.Param, bool) {
	idx, list := f.inst, f.Instance
	if k == kindCluster {
		idx, list = f.cluster, f.Cluster
	}
	i, ok := idx[name]
	if !ok {
		return catalog.Param{}, false
	}
	return list[i], true
}

// accountID is the account every lab ARN names.
const accountID = "000000000000"

func (l *Lab) groupARN(k groupKind, name string) string {
	return "arn:aws:rds:" + l.opts.Region + ":" + l.account() + ":" + k.arnType() + ":" + name
}
