"""A requests session that checks every Atlas response against the spec extract as it arrives."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "simulator"))

from contract_schemas import check_response  # noqa: E402  pylint: disable=wrong-import-position
from simulator_helpers import AtlasSession  # noqa: E402  pylint: disable=wrong-import-position

# What Atlas's authentication filter answers (no errorCode; FACTS.md 3), written out here rather than taken from the simulator.
AUTH_REFUSED = {"detail": "You are not authorized for this resource.", "error": 401, "reason": "Unauthorized"}


class ContractSession(AtlasSession):
    """Every final response is validated against the official schema of its operation; `seen` records (operationId, status)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen = set()

    def request(self, method, url, *args, **kwargs):  # pylint: disable=arguments-differ
        response = super().request(method, url, *args, **kwargs)
        if response.status_code == 401 and "errorCode" not in response.json():
            # Atlas's authentication filter (a digest challenge, a refused bearer token) answers before any operation runs,
            # with no errorCode (FACTS.md 3): not an ApiError of the operation, so it is checked here instead.
            assert response.json() == AUTH_REFUSED, response.text
            self.seen.add(("authentication", 401))
            return response
        path = response.request.path_url.split("?", 1)[0]
        operation_id, status, _declared = check_response(method, path, response.status_code, response.headers.get("Content-Type"),
                                                         response.content)
        self.seen.add((operation_id, status))
        return response
