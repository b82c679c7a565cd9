# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Entries of an Atlas project's IP access list: normalised from the API, compared with the wanted ones.

Used by atlas_access_list (which writes) and vpc_peering_info (which only reads), so both judge an entry alike.
No Ansible imports: unit-tested directly.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from urllib.parse import quote

from ansible_collections.cloudwire.atlas.plugins.module_utils.networks import access_list_entry_from_api

ENTRY_FIELDS = ("cidr_block", "ip_address", "aws_security_group", "comment", "delete_after_date")


def access_list_path(project_id, key=None):
    path = "/groups/%s/accessList" % quote(project_id, safe="")
    if key is not None:
        path += "/" + quote(key, safe="")
    return path


def entry_from_api(api_entry):
    """Atlas entry -> normalised entry; an entry this collection cannot parse keeps its raw value as identity."""
    try:
        return access_list_entry_from_api(api_entry)
    except ValueError:
        value = api_entry.get("awsSecurityGroup") or api_entry.get("cidrBlock") or api_entry.get("ipAddress")
        return dict(key=value, cidr_block=api_entry.get("cidrBlock"), ip_address=api_entry.get("ipAddress"),
                    aws_security_group=api_entry.get("awsSecurityGroup"), comment=api_entry.get("comment"),
                    delete_after_date=api_entry.get("deleteAfterDate"))


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
