#!/usr/bin/env python3
"""Extract MySQL 8.0 system-variable facts into mysql-sysvars.tsv.

Usage: mysql-sysvars.py GMS_FILE GMS_COMMIT MANUAL_FILE MANUAL_COMMIT > mysql-sysvars.tsv

GMS_FILE is sql/variables/system_variables.go of
github.com/dolthub/go-mysql-server at GMS_COMMIT (git show COMMIT:path).
Only facts are taken (name, Dynamic, type and its range or values,
default), and only for names in AWS's default.mysql8.0 list
(aws-mysql8.0.tsv, AWS spells some with dashes). The file's
mariadbSystemVars block is skipped.

MANUAL_FILE is v8/en/08_MySQL_Server_Administration/01_The_MySQL_Server.md
of github.com/tavaresgerson/mysql-docs (the MySQL 8.0 Reference Manual) at
MANUAL_COMMIT: its "Command-Line Option and System Variable Summary" table
gives the Dynamic column for the AWS names GMS_FILE lacks. It gives no
types, ranges or defaults, so those rows are string, with no allowed
values or default. Its Dynamic column is empty for an option without a
system variable (sysdate-is-now) and says "Varies" for some; both are
left empty here, as facts the table does not give.
"""
import os
import re
import sys

# go-mysql-server narrows some variables to what Dolt implements; these
# are not MySQL's facts and are left out (the generator keeps MariaDB's).
DOLT_ONLY = {
    "binlog_format": ("allowed",),  # Dolt: ROW only; MySQL: ROW,STATEMENT,MIXED
    "innodb_lock_wait_timeout": ("allowed", "default"),  # Dolt: 1-1, 1; MySQL: 1-1073741824, 50
    "max_heap_table_size": ("allowed",),  # Dolt's maximum lacks a digit (1844674407370954752)
}
# A bound of the full 64-bit range is the source's placeholder for "not
# modelled", not MySQL's range.
PLACEHOLDER = {"-9223372036854775808", "9223372036854775807"}


def aws_names(path):
    out = []
    for line in open(path):
        if line.strip() and not line.startswith("#"):
            out.append(line.split("\t")[0])
    return out


def default(d, data_type, lo):
    if d is None:
        return ""
    m = re.fullmatch(r"(?:int8|int64|uint64|uint32|float64)\((-?[\d.]+)\)", d)
    if m:
        v = m.group(1)
        # -1 is "autosized at startup" in the source, not a value.
        if v == "-1" and lo is not None and not lo.startswith("-"):
            return ""
        return v
    m = re.fullmatch(r'"(.*)"', d) or re.fullmatch(r"`(.*)`", d)
    if m:
        return m.group(1)
    return ""  # computed at runtime (host name, tmpdir, charset): no fact


def manual_dynamic(path):
    """name -> Dynamic column (Yes, No, Varies, or "" for an option only)."""
    row = r'<tr><th scope="row">([^<]+)</th>' + r' <td>([^<]*)</td>' * 6 + r' </tr>'
    return {r[0]: r[6] for r in re.findall(row, open(path).read())}


def main():
    src, commit = open(sys.argv[1]).read(), sys.argv[2]
    manual, manual_commit = manual_dynamic(sys.argv[3]), sys.argv[4]
    here = os.path.dirname(os.path.abspath(__file__))
    aws = aws_names(os.path.join(here, "aws-mysql8.0.tsv"))
    body = src[src.index("var systemVars"):src.index("var mariadbSystemVars")]
    facts = {}
    for name, b in re.findall(r'^\t"([^"]+)": &sql\.MysqlSystemVariable\{\n(.*?)^\t\},', body, re.M | re.S):
        dyn = re.search(r"\n\t\tDynamic:\s+(true|false),", b).group(1)
        typ = re.search(r"\n\t\tType:\s+(.*?),\s*(//.*)?\n", b).group(1)
        d = re.search(r"\n\t\tDefault:\s+(.*?),\s*(//.*)?\n", b)
        d = d.group(1) if d else None
        args = re.findall(r'"[^"]*"|[-\w.]+', typ[typ.find("(") + 1:]) if "(" in typ else []
        lo = None
        if "BoolType" in typ:
            dt, allowed = "boolean", "0,1"
        elif "IntType" in typ or "UintType" in typ:
            dt, lo, hi = "integer", args[1], args[2]
            allowed = "" if {lo, hi} & PLACEHOLDER or not hi.isdigit() else lo + "-" + hi
        elif "DoubleType" in typ:
            dt, lo, hi = "float", args[1], args[2]
            allowed = lo + "-" + hi if hi.isdigit() else ""
        elif "EnumType" in typ:
            dt, allowed = "string", ",".join(a.strip('"') for a in args[1:])
        elif "SetType" in typ:
            dt, allowed = "list", ",".join(a.strip('"') for a in args[2:])
        elif typ == "types.Uint32":
            dt, allowed = "integer", "0-4294967295"
        else:
            dt, allowed = "string", ""
        dv = default(d, dt, lo)
        if "allowed" in DOLT_ONLY.get(name, ()):
            allowed = ""
        if "default" in DOLT_ONLY.get(name, ()):
            dv = ""
        facts[name] = ("dynamic" if dyn == "true" else "static", dt, allowed, dv)
    print("# MySQL 8.0 system variables: apply type (Dynamic), data type, allowed")
    print("# values (range, enum or set members) and default, for the names of")
    print("# AWS's default.mysql8.0 group (aws-mysql8.0.tsv) that a source knows.")
    print("# Extracted by mysql-sysvars.py (facts only) from:")
    print("#   gms: github.com/dolthub/go-mysql-server sql/variables/system_variables.go")
    print("#        at commit %s;" % commit)
    print("#   manual: github.com/tavaresgerson/mysql-docs (MySQL 8.0 Reference Manual)")
    print("#        v8/en/08_MySQL_Server_Administration/01_The_MySQL_Server.md at commit")
    print("#        %s, option and variable summary table:" % manual_commit)
    print("#        Dynamic only; type, range and default are not in it.")
    print("# An empty field is a fact the source does not give.")
    print("# name\tapply_type\tdata_type\tallowed_values\tdefault\tsource")
    for name in sorted(aws):
        f = facts.get(name.replace("-", "_"))
        if f:
            print("\t".join((name,) + f + ("gms",)))
            continue
        for key in (name, name.replace("-", "_")):
            if key in manual:
                apply = {"Yes": "dynamic", "No": "static"}.get(manual[key], "")
                print("\t".join((name, apply, "string", "", "", "manual")))
                break


main()
