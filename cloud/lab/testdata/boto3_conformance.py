"""boto3 against the lab: success shapes, paging, error codes.

Run by TestBoto3 with AWS_ENDPOINT_URL_RDS and dummy credentials in the
environment; argv[1] is the family to use. Prints "boto3 conformance: ok".
"""
import os
import sys

import boto3
from botocore.exceptions import ClientError

family = sys.argv[1]
# The endpoint is passed explicitly: botocore reads AWS_ENDPOINT_URL_RDS
# only since 1.31 (Debian bookworm's python3-boto3 has 1.29).
rds = boto3.client("rds", endpoint_url=os.environ["AWS_ENDPOINT_URL_RDS"])


def expect_error(code, status, fn, **kw):
    try:
        fn(**kw)
    except ClientError as e:
        got = e.response["Error"]["Code"]
        http = e.response["ResponseMetadata"]["HTTPStatusCode"]
        assert got == code, (got, code, e.response["Error"]["Message"])
        assert http == status, (http, status)
        assert e.response["ResponseMetadata"]["RequestId"]
        return e.response["Error"]["Message"]
    raise AssertionError("expected %s" % code)


g = rds.create_db_parameter_group(DBParameterGroupName="Boto-Group", DBParameterGroupFamily=family, Description="boto")["DBParameterGroup"]
assert g["DBParameterGroupName"] == "boto-group", g
assert g["DBParameterGroupArn"].endswith(":pg:boto-group"), g

rds.modify_db_parameter_group(DBParameterGroupName="boto-group", Parameters=[
    {"ParameterName": "dyn_int", "ParameterValue": "12", "ApplyMethod": "immediate"},
])

pages = list(rds.get_paginator("describe_db_parameters").paginate(
    DBParameterGroupName="boto-group", PaginationConfig={"PageSize": 20}))
params = [p for page in pages for p in page["Parameters"]]
assert len(pages) == 13 and len(params) == 250, (len(pages), len(params))
dyn = [p for p in params if p["ParameterName"] == "dyn_int"][0]
assert dyn == {"ParameterName": "dyn_int", "ParameterValue": "12", "Description": "dynamic integer", "Source": "user",
               "ApplyType": "dynamic", "DataType": "integer", "AllowedValues": "1-100", "IsModifiable": True,
               "ApplyMethod": "immediate"}, dyn

groups = [g["DBParameterGroupName"] for page in rds.get_paginator("describe_db_parameter_groups").paginate(
    PaginationConfig={"PageSize": 20}) for g in page["DBParameterGroups"]]
assert "boto-group" in groups and "default." + family in groups, groups

ed = rds.describe_engine_default_parameters(DBParameterGroupFamily=family)["EngineDefaults"]
assert ed["DBParameterGroupFamily"] == family and len(ed["Parameters"]) == 100 and ed["Marker"], ed.keys()

ev = rds.describe_events(SourceType="db-parameter-group", SourceIdentifier="boto-group")["Events"]
assert len(ev) == 1 and ev[0]["Message"] == "Updated parameter dyn_int to 12 with apply method immediate", ev
assert ev[0]["Date"].tzinfo is not None

cg = rds.create_db_cluster_parameter_group(DBClusterParameterGroupName="boto-cluster", DBParameterGroupFamily=family, Description="c")
assert cg["DBClusterParameterGroup"]["DBClusterParameterGroupArn"].endswith(":cluster-pg:boto-cluster"), cg
cp = rds.describe_db_cluster_parameters(DBClusterParameterGroupName="boto-cluster", MaxRecords=100)
assert len(cp["Parameters"]) == 60 and "Marker" not in cp, cp.keys()

expect_error("DBParameterGroupNotFound", 404, rds.describe_db_parameters, DBParameterGroupName="nope")
expect_error("DBParameterGroupAlreadyExists", 400, rds.create_db_parameter_group,
             DBParameterGroupName="boto-group", DBParameterGroupFamily=family, Description="x")
msg = expect_error("InvalidParameterCombination", 400, rds.modify_db_parameter_group, DBParameterGroupName="boto-group",
                   Parameters=[{"ParameterName": "p_%03d" % i, "ParameterValue": "1", "ApplyMethod": "pending-reboot"} for i in range(10, 31)])
assert msg == "Cannot modify more than 20 parameters in a single request", msg
msg = expect_error("InvalidParameterValue", 400, rds.modify_db_parameter_group, DBParameterGroupName="boto-group",
                   Parameters=[{"ParameterName": "nope", "ParameterValue": "1", "ApplyMethod": "immediate"}])
assert msg == "Could not find parameter with name: nope", msg
expect_error("InvalidDBParameterGroupState", 400, rds.delete_db_parameter_group, DBParameterGroupName="default." + family)
expect_error("InvalidParameterValue", 400, rds.describe_db_parameters, DBParameterGroupName="boto-group", MaxRecords=101)
expect_error("DBParameterGroupNotFound", 404, rds.delete_db_cluster_parameter_group, DBClusterParameterGroupName="nope")

rds.reset_db_parameter_group(DBParameterGroupName="boto-group", ResetAllParameters=True)
assert rds.describe_db_parameters(DBParameterGroupName="boto-group", Source="user")["Parameters"] == []
rds.delete_db_parameter_group(DBParameterGroupName="boto-group")
rds.delete_db_cluster_parameter_group(DBClusterParameterGroupName="boto-cluster")
print("boto3 conformance: ok")
