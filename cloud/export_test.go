package cloud

// FastDecodes reports whether the fast decoder takes body, a successful
// response of op, itself (true) or leaves it to the SDK's decoder.
func FastDecodes(op string, body []byte) bool {
	switch op {
	case "DescribeDBParameters":
		_, ok := decodeParameterListing(body, "DescribeDBParametersResult", "")
		return ok
	case "DescribeDBClusterParameters":
		_, ok := decodeParameterListing(body, "DescribeDBClusterParametersResult", "")
		return ok
	case "DescribeEngineDefaultParameters":
		_, ok := decodeParameterListing(body, "DescribeEngineDefaultParametersResult", "EngineDefaults")
		return ok
	}
	return false
}
