"""`make docs`, last step: the built site has a real page for every module, the role and the guides, and Sphinx warned
only about what an offline build cannot resolve.

    check_docsite.py HTML_DIR SPHINX_WARNINGS_FILE

Links into docs.ansible.com (other collections such as amazon.aws, and ansible-core's pages like common_return_values)
resolve through intersphinx, which needs the network; an offline build reports them as undefined labels. Any other
warning, a missing page, or a page antsibull-docs rendered as an error page fails the check.
"""

import glob
import os
import re
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ERROR_PAGE = re.compile(r"was malformed|There were some errors parsing the documentation")
# Labels that live outside this collection's site.
EXTERNAL_LABEL = re.compile(r"WARNING: undefined label: '(ansible_collections\.(?!cloudwire\.atlas\.)[^']+|common_return_values|"
                            r"ansible_configuration_settings)' \[ref\.ref\]$")
INTERSPHINX_OFFLINE = re.compile(r"WARNING: failed to reach any of the inventories|^\s*intersphinx inventory .* not (fetchable|readable)|^\s*$")


def main(html, warnings_file):
    problems = []
    modules = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(REPO_ROOT, "plugins", "modules", "*.py")))
    pages = ["index.html", "vpc_peering_role.html", "atlas_whitelist_module.html", "docsite/guide_peering.html"]
    pages += ["%s_module.html" % m for m in modules]
    for page in pages:
        path = os.path.join(html, page)
        if not os.path.isfile(path):
            problems.append("missing page " + page)
            continue
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        if ERROR_PAGE.search(text):
            problems.append("%s is an error page (antsibull-docs could not parse the documentation)" % page)
    with open(os.path.join(html, "vpc_peering_role.html"), encoding="utf-8") as handle:
        role = handle.read()
    for needed in ("Entry point <code", "main", "remove_container", "vpc_peering_aws_region"):
        if needed not in role:
            problems.append("the role page lacks %r" % needed)
    external = 0
    with open(warnings_file, encoding="utf-8") as handle:
        for line in handle.read().splitlines():
            if EXTERNAL_LABEL.search(line):
                external += 1
            elif not INTERSPHINX_OFFLINE.search(line):
                problems.append("Sphinx: " + line)
    if problems:
        print("docs site FAILED:\n  - " + "\n  - ".join(problems))
        return 1
    print("docs site OK: %s/index.html (%d pages checked; %d links into docs.ansible.com left unresolved offline)"
          % (os.path.relpath(html, REPO_ROOT), len(pages), external))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
