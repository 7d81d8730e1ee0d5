package lab

import (
	"strings"
)

// Tags: on create (instances and parameter groups) and through
// AddTagsToResource, RemoveTagsFromResource and ListTagsForResource by
// ARN, with AWS's limits. Game days read them to protect targets.

// tag is one resource tag.
type tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// maxTags is AWS's limit of tags on one resource.
const maxTags = 50

type xmlTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// xmlTagList is a TagList, as DBInstance and TagListMessage carry it.
type xmlTagList struct {
	Items []xmlTag `xml:"Tag"`
}

// TagListMessage (ListTagsForResourceResult).
type xmlTagListMessage struct {
	TagList xmlTagList `xml:"TagList"`
}

func toXMLTags(ts []tag) xmlTagList {
	out := xmlTagList{Items: []xmlTag{}}
	for _, t := range ts {
		out.Items = append(out.Items, xmlTag{Key: t.Key, Value: t.Value})
	}
	return out
}

// requestTags decodes and checks Tags.Tag.N.{Key,Value}.
func requestTags(r *request) ([]tag, error) {
	var out []tag
	for _, m := range members(r.form, "Tags.Tag") {
		k := m["Key"]
		if k == "" {
			return nil, apiErr(codeInvalidParameterValue, "A tag key must not be empty")
		}
		if len(k) > 128 || strings.HasPrefix(strings.ToLower(k), "aws:") || strings.HasPrefix(strings.ToLower(k), "rds:") {
			// AWS reserves the aws: and rds: prefixes and caps keys at 128.
			return nil, apiErr(codeInvalidParameterValue, "Invalid tag key: %s", k)
		}
		if len(m["Value"]) > 256 {
			return nil, apiErr(codeInvalidParameterValue, "Invalid tag value for key %s: longer than 256 characters", k)
		}
		out = append(out, tag{Key: k, Value: m["Value"]})
	}
	return out, nil
}

// createTags reads the Tags of a create request: valid, and no more
// than a resource may carry.
func createTags(r *request) ([]tag, error) {
	tags, err := requestTags(r)
	if err != nil {
		return nil, err
	}
	if _, err := mergeTags(nil, tags); err != nil {
		return nil, err
	}
	return tags, nil
}

// mergeTags adds or replaces tags by key, refusing more than maxTags.
func mergeTags(have, add []tag) ([]tag, error) {
	out := append([]tag(nil), have...)
	for _, a := range add {
		found := false
		for i := range out {
			if out[i].Key == a.Key {
				out[i].Value, found = a.Value, true
			}
		}
		if !found {
			out = append(out, a)
		}
	}
	if len(out) > maxTags {
		return nil, apiErr("TagQuotaPerResourceExceeded", "The request would exceed the quota of %d tags per resource", maxTags)
	}
	return out, nil
}

// taggedResource finds the tag list of the resource an ARN names: a DB
// instance (db), an Aurora DB cluster (cluster), a DB parameter group (pg)
// or a DB cluster parameter group (cluster-pg).
func (l *Lab) taggedResource(st *state, arn string) (*[]tag, error) {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "rds" {
		// AWS: "The specified resource name does not match an RDS resource in this region."
		return nil, apiErr(codeInvalidParameterValue, "The specified resource name does not match an RDS resource in this region.")
	}
	if parts[3] != l.opts.Region || parts[4] != l.account() {
		return nil, apiErr(codeInvalidParameterValue, "The specified resource name does not match an RDS resource in this region.")
	}
	name := parts[6]
	switch parts[5] {
	case "db":
		in, err := findInstance(st, name)
		if err != nil {
			return nil, err
		}
		return &in.Tags, nil
	case "cluster":
		c, err := findCluster(st, name)
		if err != nil {
			return nil, err
		}
		return &c.Tags, nil
	case kindInstance.arnType(), kindCluster.arnType():
		k := kindInstance
		if parts[5] == kindCluster.arnType() {
			k = kindCluster
		}
		g, err := findGroup(st, k, name)
		if err != nil {
			return nil, err
		}
		return &g.Tags, nil
	}
	return nil, apiErr(codeInvalidParameterValue, "The lab does not support tags on resource type %s (it tags db, cluster, pg and cluster-pg)", parts[5])
}

func addTagsToResource(l *Lab, r *request) (any, error) {
	arn, err := r.required("ResourceName")
	if err != nil {
		return nil, err
	}
	r.resource = arn
	add, err := requestTags(r)
	if err != nil {
		return nil, err
	}
	if len(add) == 0 {
		return nil, missingParameter("Tags")
	}
	return nil, l.mutate(func(st *state) error {
		ts, err := l.taggedResource(st, arn)
		if err != nil {
			return err
		}
		merged, err := mergeTags(*ts, add)
		if err != nil {
			return err
		}
		*ts = merged
		return nil
	})
}

func removeTagsFromResource(l *Lab, r *request) (any, error) {
	arn, err := r.required("ResourceName")
	if err != nil {
		return nil, err
	}
	r.resource = arn
	keys := formScalars(r.form, "TagKeys.member")
	if len(keys) == 0 {
		return nil, missingParameter("TagKeys")
	}
	drop := map[string]bool{}
	for _, k := range keys {
		drop[k] = true
	}
	return nil, l.mutate(func(st *state) error {
		ts, err := l.taggedResource(st, arn)
		if err != nil {
			return err
		}
		var kept []tag
		for _, t := range *ts {
			if !drop[t.Key] {
				kept = append(kept, t)
			}
		}
		*ts = kept
		return nil
	})
}

func listTagsForResource(l *Lab, r *request) (any, error) {
	arn, err := r.required("ResourceName")
	if err != nil {
		return nil, err
	}
	r.resource = arn
	if fs := r.filters(); len(fs) > 0 {
		// AWS: "This parameter is not currently supported."
		return nil, apiErr(codeInvalidParameterValue, "Unrecognized filter name: %s", fs[0].Name)
	}
	var out xmlTagListMessage
	err = l.read(func(st *state) error {
		ts, err := l.taggedResource(st, arn)
		if err != nil {
			return err
		}
		out.TagList = toXMLTags(*ts)
		return nil
	})
	return out, err
}
