package lab

import "strings"

// describeClusters answers DescribeDBClusters. The lab has no Aurora
// clusters yet, so it lists none and names the missing one as AWS does;
// that keeps the SDK's cluster waiters and finders honest against it.
func describeClusters(l *Lab, r *request) (any, error) {
	id := r.str("DBClusterIdentifier")
	r.resource = strings.ToLower(id)
	// The lab has no clusters yet, so it supports no cluster filter.
	if _, err := checkFilters(r); err != nil {
		return nil, err
	}
	if _, err := r.pageSize(); err != nil {
		return nil, err
	}
	if id != "" {
		// AWS: "DBCluster my-cluster not found."
		return nil, apiErr("DBClusterNotFoundFault", "DBCluster %s not found.", id)
	}
	var out xmlDBClusterMessage
	out.Clusters.Items = []struct{}{}
	return out, nil
}
