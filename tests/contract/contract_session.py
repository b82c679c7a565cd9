"""A requests session that checks every Atlas response against the spec extract as it arrives."""

from contract_schemas import check_response
from support.atlas import AtlasSession, recorded

# What Atlas's authentication filter answers before any operation runs, taken from the recordings and FACTS.md rather than
# from the simulator: a refused digest key (recorded: accessList-create-401-1.json) and a refused bearer token (FACTS.md 3).
DIGEST_REFUSED = recorded("accessList-create-401-1.json")["response_body"]
BEARER_REFUSED = {"detail": "You are not authorized for this resource.", "error": 401, "reason": "Unauthorized"}


class ContractSession(AtlasSession):
    """Every final response is validated against the official schema of its operation; `seen` records (operationId, status)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen = set()

    def request(self, method, url, *args, **kwargs):  # pylint: disable=arguments-differ
        response = super().request(method, url, *args, **kwargs)
        if response.status_code == 401 and response.json() in (DIGEST_REFUSED, BEARER_REFUSED):
            # Atlas's authentication filter answers before any operation runs: not an ApiError of the operation (the
            # digest one has no parameters and no X-Error-Code), so it is checked here instead.
            assert "X-Error-Code" not in response.headers, response.headers
            self.seen.add(("authentication", 401))
            return response
        path = response.request.path_url.split("?", 1)[0]
        operation_id, status, _declared = check_response(method, path, response.status_code, response.headers.get("Content-Type"),
                                                         response.content)
        self.seen.add((operation_id, status))
        return response
