"""A requests session that checks every Atlas response against the spec extract as it arrives."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "simulator"))

from contract_schemas import check_response  # noqa: E402  pylint: disable=wrong-import-position
from simulator_helpers import AtlasSession  # noqa: E402  pylint: disable=wrong-import-position


class ContractSession(AtlasSession):
    """Every final response is validated against the official schema of its operation; `seen` records (operationId, status)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen = set()

    def request(self, method, url, *args, **kwargs):  # pylint: disable=arguments-differ
        response = super().request(method, url, *args, **kwargs)
        if response.status_code == 401 and "WWW-Authenticate" in response.headers:
            # A digest challenge is protocol, not an ApiError: Atlas sends it with no errorCode (FACTS.md 3).
            return response
        path = response.request.path_url.split("?", 1)[0]
        operation_id, status, _declared = check_response(method, path, response.status_code, response.headers.get("Content-Type"),
                                                         response.content)
        self.seen.add((operation_id, status))
        return response
