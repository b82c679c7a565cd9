# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Network rules Atlas and AWS enforce, checked before any call: CIDRs, ids, project IP access-list entries.

No Ansible imports. Every check raises ValueError with a message that states the value and the rule; the module
wrapper's ``fail_on_value`` adds the option name.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import ipaddress
import re

RFC1918_NETWORKS = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
ATLAS_CIDR_MIN_PREFIX = 21
ATLAS_CIDR_MAX_PREFIX = 24
COMMENT_MAX_LENGTH = 80
DELETE_AFTER_MAX_DAYS = 7

_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
_VPC_ID = re.compile(r"^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$")
_SG_ID = re.compile(r"^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$")
_PROJECT_ID = re.compile(r"^[0-9a-f]{24}$")
ENTRY_KINDS = ("cidr_block", "ip_address", "aws_security_group")


def parse_ipv4_cidr(value):
    """A CIDR string -> IPv4Network, host bits allowed; ValueError when it is not IPv4 CIDR notation."""
    text = str(value).strip() if value is not None else ""
    if "/" not in text:
        raise ValueError("%r is not in CIDR notation (address/prefix, e.g. 10.8.0.0/21)" % (value,))
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise ValueError("%r is not in CIDR notation (address/prefix, e.g. 10.8.0.0/21)" % (value,))
    if network.version != 4:
        raise ValueError("%r is not an IPv4 CIDR block" % (value,))
    return network


def is_rfc1918(value):
    """True when the address or CIDR lies wholly inside 10/8, 172.16/12 or 192.168/16."""
    network = ipaddress.ip_network(str(value).strip(), strict=False)
    return any(network.version == private.version and network.subnet_of(private) for private in RFC1918_NETWORKS)


def canonical_cidr(value):
    """The canonical form of a CIDR (host bits cleared): ``10.8.1.0/21`` -> ``10.8.0.0/21``."""
    return str(parse_ipv4_cidr(value))


def _require_canonical(value, network):
    text = str(value).strip()
    if text != str(network):
        raise ValueError("%r is not in canonical form: the block it names is %s (host bits must be zero)" % (value, network))


def atlas_cidr_block(value):
    """Validate an Atlas container CIDR: IPv4, RFC 1918, /21 to /24, canonical. Returns it as a string."""
    network = parse_ipv4_cidr(value)
    if not ATLAS_CIDR_MIN_PREFIX <= network.prefixlen <= ATLAS_CIDR_MAX_PREFIX:
        raise ValueError("%r must be a /%d to /%d block for an Atlas AWS container" % (value, ATLAS_CIDR_MIN_PREFIX, ATLAS_CIDR_MAX_PREFIX))
    if not is_rfc1918(network):
        raise ValueError("%r must be inside the private ranges 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 (RFC 1918)" % (value,))
    _require_canonical(value, network)
    return str(network)


def route_table_cidr_block(value):
    """Validate the peer VPC CIDR Atlas routes to: IPv4, RFC 1918, canonical. Returns it as a string."""
    network = parse_ipv4_cidr(value)
    if not is_rfc1918(network):
        raise ValueError("%r must be inside the private ranges 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 (RFC 1918)" % (value,))
    _require_canonical(value, network)
    return str(network)


def cidrs_overlap(first, second):
    """True when two CIDR blocks share at least one address."""
    return parse_ipv4_cidr(first).overlaps(parse_ipv4_cidr(second))


def aws_account_id(value):
    """Validate an AWS account id: exactly 12 digits (leading zeros kept). Returns it as a string."""
    text = str(value).strip() if value is not None else ""
    if not _ACCOUNT_ID.match(text):
        raise ValueError("%r is not an AWS account id: it must be exactly 12 digits" % (value,))
    return text


def vpc_id(value):
    """Validate an AWS VPC id: ``vpc-`` followed by 8 or 17 lower-case hex digits."""
    text = str(value).strip() if value is not None else ""
    if not _VPC_ID.match(text):
        raise ValueError("%r is not a VPC id: it must be vpc- followed by 8 or 17 lower-case hex digits" % (value,))
    return text


def security_group_id(value):
    """Validate an AWS security group id: ``sg-`` followed by 8 or 17 lower-case hex digits."""
    text = str(value).strip() if value is not None else ""
    if not _SG_ID.match(text):
        raise ValueError("%r is not a security group id: it must be sg- followed by 8 or 17 lower-case hex digits" % (value,))
    return text


def project_id(value):
    """Validate an Atlas project (group) id: 24 lower-case hex digits."""
    text = str(value).strip() if value is not None else ""
    if not _PROJECT_ID.match(text):
        raise ValueError("%r is not an Atlas project id: it must be 24 lower-case hex digits" % (value,))
    return text


def _utc(moment):
    if moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc)


def parse_datetime(value):
    """ISO 8601 (``2026-11-27T10:00:00Z``, an offset, or naive = UTC) or a datetime -> aware UTC datetime."""
    if isinstance(value, datetime.datetime):
        return _utc(value)
    text = str(value).strip() if value is not None else ""
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        return _utc(datetime.datetime.fromisoformat(text))
    except ValueError:
        raise ValueError("%r is not an ISO 8601 date-time such as 2026-11-27T10:00:00Z" % (value,))


def format_datetime(moment):
    """Aware datetime -> ``YYYY-MM-DDTHH:MM:SSZ`` (UTC, whole seconds), the form entries are compared in."""
    return _utc(moment).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def delete_after_date(value, now=None):
    """Validate a temporary access-list entry's expiry: in the future and at most 7 days ahead. Returns the UTC string."""
    moment = parse_datetime(value)
    now = _utc(now) if now is not None else datetime.datetime.now(datetime.timezone.utc)
    if moment <= now:
        raise ValueError("delete_after_date %r is not in the future (now is %s)" % (value, format_datetime(now)))
    if moment - now > datetime.timedelta(days=DELETE_AFTER_MAX_DAYS):
        raise ValueError("delete_after_date %r is more than %d days ahead (now is %s): Atlas allows at most %d days" % (
            value, DELETE_AFTER_MAX_DAYS, format_datetime(now), DELETE_AFTER_MAX_DAYS))
    return format_datetime(moment)


def access_list_key(value):
    """The identity of an access-list entry: canonical CIDR (``1.2.3.4`` -> ``1.2.3.4/32``) or the SG id.

    This is also the ``{entryValue}`` of the entry's URL (quote it with ``safe=""``).
    """
    text = str(value).strip() if value is not None else ""
    if text.startswith("sg-"):
        return security_group_id(text)
    try:
        if "/" in text:
            return str(ipaddress.ip_network(text, strict=False))
        return str(ipaddress.ip_network(ipaddress.ip_address(text)))
    except ValueError:
        raise ValueError("%r is not an IP address, a CIDR block or a security group id" % (value,))


def normalize_access_list_entry(entry, now=None, check_expiry=True):
    """A user-given entry -> the normalised form used for comparison and for building the API body.

    ``entry`` has exactly one of ``cidr_block``, ``ip_address``, ``aws_security_group``, plus optional ``comment`` and
    ``delete_after_date``. The result always has the keys ``key`` (see access_list_key), ``cidr_block``,
    ``ip_address``, ``aws_security_group``, ``comment`` and ``delete_after_date``. ``1.2.3.4`` and ``1.2.3.4/32``
    normalise to the same entry; a CIDR is reduced to its canonical form.
    """
    given = [kind for kind in ENTRY_KINDS if entry.get(kind) not in (None, "")]
    if len(given) != 1:
        raise ValueError("access-list entry %r must have exactly one of %s (it has %s)" % (
            _printable(entry), ", ".join(ENTRY_KINDS), ", ".join(given) or "none"))
    kind = given[0]
    value = entry[kind]
    result = dict(key=None, cidr_block=None, ip_address=None, aws_security_group=None, comment=None, delete_after_date=None)
    if kind == "aws_security_group":
        result["aws_security_group"] = result["key"] = security_group_id(value)
    else:
        if kind == "ip_address":
            try:
                address = ipaddress.ip_address(str(value).strip())
            except ValueError:
                raise ValueError("%r is not an IP address (use cidr_block for a range)" % (value,))
            network = ipaddress.ip_network(address)
        else:
            try:
                network = ipaddress.ip_network(str(value).strip(), strict=False)
            except ValueError:
                raise ValueError("%r is not a CIDR block (address/prefix, e.g. 10.0.0.0/16)" % (value,))
        result["key"] = result["cidr_block"] = str(network)
        if network.num_addresses == 1:
            result["ip_address"] = str(network.network_address)

    comment = entry.get("comment")
    if comment is not None:
        comment = str(comment)
        if len(comment) > COMMENT_MAX_LENGTH:
            raise ValueError("comment %r is %d characters long: Atlas allows at most %d" % (comment, len(comment), COMMENT_MAX_LENGTH))
        result["comment"] = comment

    expiry = entry.get("delete_after_date")
    if expiry not in (None, ""):
        if kind == "aws_security_group":
            raise ValueError("delete_after_date is set on security group entry %s: Atlas supports expiry only for IP "
                             "addresses and CIDR blocks" % result["key"])
        result["delete_after_date"] = delete_after_date(expiry, now=now) if check_expiry else format_datetime(parse_datetime(expiry))
    return result


def access_list_entry_from_api(api_entry):
    """An Atlas NetworkPermissionEntry -> the normalised form (same keys as normalize_access_list_entry)."""
    entry = dict(comment=api_entry.get("comment"), delete_after_date=api_entry.get("deleteAfterDate"))
    if api_entry.get("awsSecurityGroup"):
        entry["aws_security_group"] = api_entry["awsSecurityGroup"]
    elif api_entry.get("cidrBlock"):
        entry["cidr_block"] = api_entry["cidrBlock"]
    else:
        entry["ip_address"] = api_entry.get("ipAddress")
    return normalize_access_list_entry(entry, check_expiry=False)


def access_list_entry_to_api(entry):
    """A normalised entry -> the NetworkPermissionEntry body Atlas expects (one of the three address fields)."""
    body = {}
    if entry.get("aws_security_group"):
        body["awsSecurityGroup"] = entry["aws_security_group"]
    elif entry.get("ip_address"):
        body["ipAddress"] = entry["ip_address"]
    else:
        body["cidrBlock"] = entry["cidr_block"]
    if entry.get("comment") is not None:
        body["comment"] = entry["comment"]
    if entry.get("delete_after_date"):
        body["deleteAfterDate"] = entry["delete_after_date"]
    return body


def _printable(entry):
    return dict((k, v) for k, v in entry.items() if v not in (None, ""))
