"""Every member of every operation the lab serves, through boto3.

Run by TestMemberConformance with the lab's endpoint and dummy credentials
in the environment. argv[1] is a JSON file: {"rds": {"Action": [honoured
members]}, "sts": {...}} (the lab's tables). For each operation and each of
its input members in botocore's model of its service, it sends a request carrying that member (plus the
required ones) and asserts:

- a member the lab does not honour is refused, InvalidParameterValue,
  with a message naming it;
- a member the lab honours is never refused as unsupported.

With argv[2] == "plan" it only prints requests, as JSON lines, for the Go
test to replay through the AWS CLI (--cli-input-json): per operation, one
with every member the lab does not honour and one with every member it
honours, as each CLI call costs a Python start-up. Prints
"member conformance: ok N" when done.
"""
import datetime
import json
import os
import sys

import boto3
import botocore
import botocore.session
from botocore import xform_name
from botocore.exceptions import ClientError

botocore_version = tuple(int(x) for x in botocore.__version__.split(".")[:2])

tables = json.load(open(sys.argv[1]))
plan_only = len(sys.argv) > 2 and sys.argv[2] == "plan"
session = botocore.session.get_session()
models = {service: session.get_service_model(service) for service in tables}


def sample(shape, depth=0):
    t = shape.type_name
    if t == "string":
        if shape.enum:
            return shape.enum[0]
        n = max(shape.metadata.get("min", 0), 5)
        return ("labx" + "y" * n)[:max(n, 5)]
    if t in ("integer", "long"):
        return max(shape.metadata.get("min", 1), 1)
    if t == "boolean":
        return True
    if t == "timestamp":
        return datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    if t == "double" or t == "float":
        return 1.0
    if t == "list":
        return [sample(shape.member, depth + 1)]
    if t == "map":
        return {}
    if t == "structure":
        return {n: sample(s, depth + 1) for n, s in shape.members.items() if s.type_name != "structure" or depth < 2}
    raise AssertionError("no sample for %s" % t)


def requests(service):
    honoured, model = tables[service], models[service]
    for op in sorted(honoured):
        if model.operation_model(op).input_shape is None:
            continue  # no members at all (GetCallerIdentity)
        unknown = set(honoured[op]) - set(model.operation_model(op).input_shape.members)
        # A misspelt name in the lab's table shows here. An older model
        # (Debian's botocore 1.29 predates ManageMasterUserPassword) lacks
        # newer members, which are then simply not sent.
        if botocore_version >= (1, 31):
            assert not unknown, ("the lab honours members botocore does not know", op, unknown)
        om = model.operation_model(op)
        shape = om.input_shape
        required = {n: sample(shape.members[n]) for n in shape.required_members}
        for member in sorted(shape.members):
            params = dict(required)
            params[member] = sample(shape.members[member])
            yield op, member, params, member in honoured[op]


# Members the SDKs rewrite before sending: botocore turns CreateDBCluster's
# SourceRegion into a presigned PreSignedUrl, which is what the lab sees.
wire_names = {("CreateDBCluster", "SourceRegion"): "PreSignedUrl"}


def wire(op, member):
    return wire_names.get((op, member), member)


def jsonable(v):
    if isinstance(v, datetime.datetime):
        return v.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(v, dict):
        return {k: jsonable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [jsonable(x) for x in v]
    return v


if plan_only:
    # Two calls per operation: every member the lab does not honour at
    # once (all must be named), and every member it honours at once (none
    # may be refused as unsupported).
    for service in sorted(tables):
        honoured, model = tables[service], models[service]
        for op in sorted(honoured):
            shape = model.operation_model(op).input_shape
            if shape is None:
                continue
            required = {n: sample(shape.members[n]) for n in shape.required_members}
            bad = sorted(m for m in shape.members if m not in honoured[op])
            good = sorted(m for m in shape.members if m in honoured[op])
            for members, refused in ((bad, bad), (good, [])):
                if not members:
                    continue
                params = dict(required)
                params.update({m: sample(shape.members[m]) for m in members})
                refused = sorted(set(wire(op, m) for m in refused))
                print(json.dumps({"service": service, "op": op, "cli": xform_name(op, "-"), "refused": refused, "params": jsonable(params)}))
    sys.exit(0)

# The endpoint is passed explicitly: Debian's older botocore ignores
# AWS_ENDPOINT_URL_RDS and would go to the real AWS.
clients = {
    "rds": boto3.client("rds", endpoint_url=os.environ["AWS_ENDPOINT_URL_RDS"]),
    "sts": boto3.client("sts", endpoint_url=os.environ["AWS_ENDPOINT_URL_STS"]),
}
n = 0
for service, op, member, params, ok in ((s, *r) for s in sorted(tables) for r in requests(s)):
    n += 1
    try:
        getattr(clients[service], xform_name(op))(**params)
        err = None
    except ClientError as e:
        err = e.response["Error"]
    refused = err is not None and ("does not support %s on %s" % (wire(op, member), op)) in err["Message"]
    if ok:
        assert not refused, (op, member, err)
    else:
        assert err is not None and err["Code"] == "InvalidParameterValue" and refused, (op, member, err)
print("member conformance: ok %d" % n)
