# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rules Atlas and AWS enforce on values, checked before any call: CIDRs, ids, dates.

No Ansible imports. Every check raises ValueError with a message that states the value and the rule; a module's
``validated`` (module.py) adds the option name.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import ipaddress
import re
from urllib.parse import urlsplit

RFC1918_NETWORKS = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
ATLAS_CIDR_MIN_PREFIX = 21
ATLAS_CIDR_MAX_PREFIX = 24
COMMENT_MAX_LENGTH = 80
DELETE_AFTER_MAX_DAYS = 7

_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
_VPC_ID = re.compile(r"^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$")
_SG_ID = re.compile(r"^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$")
_ATLAS_ID = re.compile(r"^[0-9a-f]{24}$")
_CLUSTER_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9-]{0,63}$")
# A user (and password) before the host: what a browser takes as credentials. With or without a scheme: messages and
# no_log values must catch "user:pass@host" too, which urlsplit reads as scheme "user".
_URL_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)?([^/?#@]*)@")


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


def same_cidr(left, right):
    """True when two CIDR strings name the same network (10.8.0.0/21 == 10.8.0.0/21, case and spacing aside)."""
    if left is None or right is None:
        return left is right
    try:
        return ipaddress.ip_network(left.strip(), strict=False) == ipaddress.ip_network(right.strip(), strict=False)
    except ValueError:
        return left.strip().lower() == right.strip().lower()


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


def _matching_id(value, pattern, rule):
    text = str(value).strip() if value is not None else ""
    if not pattern.match(text):
        raise ValueError("%r is not %s" % (value, rule))
    return text


def aws_account_id(value):
    """Validate an AWS account id: exactly 12 digits (leading zeros kept). Returns it as a string."""
    return _matching_id(value, _ACCOUNT_ID, "an AWS account id: it must be exactly 12 digits")


def vpc_id(value):
    """Validate an AWS VPC id: ``vpc-`` followed by 8 or 17 lower-case hex digits."""
    return _matching_id(value, _VPC_ID, "a VPC id: it must be vpc- followed by 8 or 17 lower-case hex digits")


def security_group_id(value):
    """Validate an AWS security group id: ``sg-`` followed by 8 or 17 lower-case hex digits."""
    return _matching_id(value, _SG_ID, "a security group id: it must be sg- followed by 8 or 17 lower-case hex digits")


def project_id(value):
    """Validate an Atlas project (group) id: 24 lower-case hex digits."""
    return _matching_id(value, _ATLAS_ID, "an Atlas project id: it must be 24 lower-case hex digits")


def container_id(value):
    """Validate an Atlas container id: 24 lower-case hex digits."""
    return _matching_id(value, _ATLAS_ID, "an Atlas container id: it must be 24 lower-case hex digits")


def cluster_name(value):
    """Validate an Atlas cluster name: 1 to 64 ASCII letters, digits and hyphens, starting with a letter or digit."""
    return _matching_id(value, _CLUSTER_NAME, "a cluster name: 1 to 64 ASCII letters, digits and hyphens, starting with a letter or digit")


def shown_url(value):
    """The URL as a message may show it: credentials before its host replaced by ``***``."""
    return _URL_USERINFO.sub(lambda match: (match.group(1) or "") + "***@", str(value).strip(), count=1)


def url_credentials(value):
    """The secret a URL holds before its host (the password of user:password@, or a lone token@), as a list for a module's
    no_log_values; [] when it holds none."""
    match = _URL_USERINFO.match(str(value or "").strip())
    if not match or not match.group(2):
        return []
    user, _sep, password = match.group(2).partition(":")
    return [password or user]


def base_url(value):
    """Validate the address of Atlas: an http:// or https:// URL with a host, without credentials before the host and without
    the API path the client adds. Messages never show such credentials."""
    text = str(value).strip()
    shown = shown_url(text)
    if _URL_USERINFO.match(text):
        raise ValueError("%r holds credentials before its host: give the address alone, like %s, and the API key as public_key "
                         "and private_key (or a service account as client_id and client_secret)" % (shown, "https://cloud.mongodb.com"))
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("%r is not a URL of Atlas: it must start with https:// (or http://) and name a host, like %s"
                         % (shown, "https://cloud.mongodb.com"))
    if "/api/atlas/" in parts.path + "/":
        raise ValueError("%r holds the API path: give the address without it, like %s (the client adds /api/atlas/v2)"
                         % (shown, "https://cloud.mongodb.com"))
    return text


def timeout(value):
    """Validate the seconds to wait for one HTTP answer: a whole number greater than 0 (requests refuses 0)."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError("%r is not a timeout: it must be a whole number of seconds greater than 0" % (value,))
    return value


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
