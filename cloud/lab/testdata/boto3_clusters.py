"""boto3's describe_db_clusters against a lab cluster.

Run by TestAuroraCluster after a failover to argv[1] (the writer), with
argv[2] the other members (comma-separated). The endpoint is passed
explicitly: Debian's older botocore ignores AWS_ENDPOINT_URL_RDS.
"""
import os
import sys

import boto3
from botocore.exceptions import ClientError

writer, others = sys.argv[1], sys.argv[2].split(",")
rds = boto3.client("rds", endpoint_url=os.environ["AWS_ENDPOINT_URL_RDS"])

out = rds.describe_db_clusters(DBClusterIdentifier="c1")
(c,) = out["DBClusters"]
assert c["Status"] == "available" and c["Engine"] == "aurora-mysql", c
assert c["Endpoint"] == "127.0.0.1" and c["ReaderEndpoint"] == "127.0.0.2" and c["Port"] > 0, c
assert c["DBClusterArn"].endswith(":cluster:c1"), c
members = {m["DBInstanceIdentifier"]: m for m in c["DBClusterMembers"]}
assert set(members) == {writer, *others}, members
assert members[writer]["IsClusterWriter"] is True, members
for o in others:
    assert members[o]["IsClusterWriter"] is False, members
for m in members.values():
    assert m["DBClusterParameterGroupStatus"] in ("in-sync", "pending-reboot", "applying"), m
    assert isinstance(m["PromotionTier"], int), m

# The paginator and a filter.
pages = list(rds.get_paginator("describe_db_clusters").paginate(PaginationConfig={"PageSize": 20}))
assert [x["DBClusterIdentifier"] for p in pages for x in p["DBClusters"]] == ["c1"], pages
f = rds.describe_db_clusters(Filters=[{"Name": "db-instance-id", "Values": [writer]}])
assert [x["DBClusterIdentifier"] for x in f["DBClusters"]] == ["c1"], f
f = rds.describe_db_clusters(Filters=[{"Name": "engine", "Values": ["mysql"]}])
assert f["DBClusters"] == [], f

try:
    rds.describe_db_clusters(DBClusterIdentifier="nope")
    raise AssertionError("describe of a missing cluster succeeded")
except ClientError as e:
    err = e.response["Error"]
    assert err["Code"] == "DBClusterNotFoundFault" and e.response["ResponseMetadata"]["HTTPStatusCode"] == 404, e.response
    assert err["Message"] == "DBCluster nope not found.", err
print("boto3 clusters: ok")
