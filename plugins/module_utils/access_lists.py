# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Entries of an Atlas project's IP access list: their paths, one function per call, the normalisation of an entry to and
from the API, and the set comparison of the current entries with the wanted ones.

Used by atlas_access_list (which writes) and vpc_peering_info (which only reads), so both judge an entry alike. The calls
take the AtlasClient (transport.py) and raise the errors of errors.py; the rest is pure. No Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.cloudwire.atlas.plugins.module_utils import validators
from ansible_collections.cloudwire.atlas.plugins.module_utils.common import api_path
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import AtlasApiError, AtlasOutcomeUnknown, doing

ACCESS_LIST_PATH = "/groups/{project_id}/accessList"
ENTRY_PATH = "/groups/{project_id}/accessList/{entry}"
ENTRY_STATUS_PATH = "/groups/{project_id}/accessList/{entry}/status"
ENTRY_KINDS = ("cidr_block", "ip_address", "aws_security_group")
ENTRY_FIELDS = ("cidr_block", "ip_address", "aws_security_group", "comment", "delete_after_date")


def access_list_path(project_id, key=None):
    """The list's path, or with ``key`` (access_list_key) the entry's: a CIDR's slash is sent as %2F."""
    if key is None:
        return api_path(ACCESS_LIST_PATH, project_id=project_id)
    return api_path(ENTRY_PATH, project_id=project_id, entry=key)


def entry_status_path(project_id, key):
    return api_path(ENTRY_STATUS_PATH, project_id=project_id, entry=key)


# -- calls -------------------------------------------------------------------------------------------------------------------
@doing("read the project's IP access list")
def list_entries(client, project_id):
    """Every entry of the project's IP access list, all pages, normalised (entry_from_api)."""
    return [entry_from_api(entry) for entry in client.list_all(access_list_path(project_id))]


def _adding(entries, **_arguments):
    return "add %d entr%s to the project's IP access list" % (len(entries), "y" if len(entries) == 1 else "ies")


@doing(_adding)
def add(client, project_id, entries):
    """Add (or update the comment and expiry of) normalised entries in one POST of an array, as Atlas requires.

    True when Atlas took them (200 or 201). False when the list must be read again before posting what is still missing:
    the answer was lost (POST is an upsert, so re-posting is safe once re-planned) or another writer was posting at the
    same time (409; Atlas does not support concurrent additions).
    """
    try:
        client.post(access_list_path(project_id), [entry_to_api(entry) for entry in entries])
        return True
    except AtlasOutcomeUnknown:
        return False
    except AtlasApiError as exc:
        if exc.status == 409:
            return False
        raise


@doing("remove {key} from the project's IP access list")
def delete(client, project_id, key):
    """Remove the entry; False when it was gone already (someone removed it meanwhile, which is what was wanted)."""
    return client.delete_if_present(access_list_path(project_id, key))


@doing("read the status of access-list entry {key}")
def status(client, project_id, key):
    """ACTIVE (applied to every cluster), PENDING or FAILED; Atlas names the field STATUS, in capitals."""
    return client.get(entry_status_path(project_id, key)).get("STATUS")


# -- normalisation (pure) --------------------------------------------------------------------------------------------------
def access_list_key(value):
    """The identity of an access-list entry: canonical CIDR (``1.2.3.4`` -> ``1.2.3.4/32``) or the SG id.

    This is also the ``{entryValue}`` of the entry's URL (access_list_path quotes it).
    """
    text = str(value).strip() if value is not None else ""
    if text.startswith("sg-"):
        return validators.security_group_id(text)
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
        result["aws_security_group"] = result["key"] = validators.security_group_id(value)
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
        if len(comment) > validators.COMMENT_MAX_LENGTH:
            raise ValueError("comment %r is %d characters long: Atlas allows at most %d"
                             % (comment, len(comment), validators.COMMENT_MAX_LENGTH))
        result["comment"] = comment

    expiry = entry.get("delete_after_date")
    if expiry not in (None, ""):
        if kind == "aws_security_group":
            raise ValueError("delete_after_date is set on security group entry %s: Atlas supports expiry only for IP "
                             "addresses and CIDR blocks" % result["key"])
        if check_expiry:
            result["delete_after_date"] = validators.delete_after_date(expiry, now=now)
        else:
            result["delete_after_date"] = validators.format_datetime(validators.parse_datetime(expiry))
    return result


def entry_from_api(api_entry):
    """An Atlas NetworkPermissionEntry -> the normalised form (same keys as normalize_access_list_entry).

    Atlas lists an ipAddress entry with its cidrBlock ``<ip>/32`` too; both read as the same entry. An entry this collection
    cannot parse keeps its raw value as identity.
    """
    entry = dict(comment=api_entry.get("comment"), delete_after_date=api_entry.get("deleteAfterDate"))
    if api_entry.get("awsSecurityGroup"):
        entry["aws_security_group"] = api_entry["awsSecurityGroup"]
    elif api_entry.get("cidrBlock"):
        entry["cidr_block"] = api_entry["cidrBlock"]
    else:
        entry["ip_address"] = api_entry.get("ipAddress")
    try:
        return normalize_access_list_entry(entry, check_expiry=False)
    except ValueError:
        value = api_entry.get("awsSecurityGroup") or api_entry.get("cidrBlock") or api_entry.get("ipAddress")
        return dict(key=value, cidr_block=api_entry.get("cidrBlock"), ip_address=api_entry.get("ipAddress"),
                    aws_security_group=api_entry.get("awsSecurityGroup"), comment=api_entry.get("comment"),
                    delete_after_date=api_entry.get("deleteAfterDate"))


def entry_to_api(entry):
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


# -- comparison (pure) ----------------------------------------------------------------------------------------------------
def public(entry):
    """A normalised entry as the module returns it (without the internal key)."""
    return dict((field, entry.get(field)) for field in ENTRY_FIELDS)


def needs_update(have, want):
    """Whether an existing entry must be re-posted: a given comment or expiry differs (None means keep)."""
    if want.get("comment") is not None and (have.get("comment") or "") != want["comment"]:
        return True
    if want.get("delete_after_date") is not None and have.get("delete_after_date") != want["delete_after_date"]:
        return True
    return False


def merged(have, want):
    entry = dict(have)
    for field in ("comment", "delete_after_date"):
        if want.get(field) is not None:
            entry[field] = want[field]
    return entry


def plan_access_list(current, wanted, state, purge):
    """Compare the normalised current list with the normalised wanted entries.

    Returns dict(before, after, added, updated, removed, post), each a list of normalised entries; `after` keeps Atlas's order
    and appends additions; `post` is what to send: the additions and, for updates, only what the user gave (POST is an
    upsert that keeps what it is not told, so an existing expiry is not re-sent and re-validated).
    """
    by_key = dict((entry["key"], entry) for entry in current)
    wanted_keys = set(entry["key"] for entry in wanted)
    added, updated, removed, post = [], [], [], []
    if state == "present":
        for want in wanted:
            have = by_key.get(want["key"])
            if have is None:
                added.append(want)
                post.append(want)
            elif needs_update(have, want):
                updated.append(merged(have, want))
                post.append(want)
        if purge:
            removed = [entry for entry in current if entry["key"] not in wanted_keys]
    else:
        removed = [by_key[want["key"]] for want in wanted if want["key"] in by_key]

    updated_by_key = dict((entry["key"], entry) for entry in updated)
    removed_keys = set(entry["key"] for entry in removed)
    after = [updated_by_key.get(entry["key"], entry) for entry in current if entry["key"] not in removed_keys] + added
    return dict(before=list(current), after=after, added=added, updated=updated, removed=removed, post=post)


def _printable(entry):
    return dict((k, v) for k, v in entry.items() if v not in (None, ""))
