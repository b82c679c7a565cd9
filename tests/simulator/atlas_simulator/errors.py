"""Atlas ApiError bodies: the real errorCodes and message templates (FACTS.md section 3)."""

from http import HTTPStatus

# errorCode -> (HTTP status, detail template). Templates take the error's parameters in order.
ERRORS = {
    "INVALID_JSON": (400, "Received JSON does not match expected format."),
    "MALFORMED_JSON": (400, "Received JSON is malformed."),
    "MISSING_ATTRIBUTE": (400, "The required attribute %s was not specified."),
    "INVALID_ATTRIBUTE": (400, "Invalid attribute %s specified."),
    "INVALID_ENUM_VALUE": (400, "An invalid enumeration value %s was specified."),
    "INVALID_PROVIDER": (400, "No provider %s exists."),
    "INVALID_REGION": (400, "No region %s exists for provider %s."),
    "VALIDATION_ERROR": (400, "The request content produced the validation error: %s."),
    "PATH_PARAM_PARSE_ERROR": (400, "One or more path parameter in the request URI %s is malformed."),
    "ATLAS_INVALID_CIDR_BLOCK": (400, "Atlas CIDR %s must be a /%s block for %s."),
    "ATLAS_INVALID_CIDR_RANGE": (400, "Atlas CIDR %s must be in private range."),
    "ATLAS_NON_CANONICAL_CIDR_BLOCK": (400, "The canonical form for the specified Atlas CIDR %s is %s."),
    "CANNOT_CHANGE_CONTAINER_REGION": (400, "The region of a cloud provider container cannot be changed."),
    "INVALID_ROUTE_TABLE_CIDR": (400, 'The address %s must be within the private ranges ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].'),
    "INVALID_CIDR_BLOCK": (400, "The cidr block %s must be in valid CIDR notation."),
    "INVALID_IP_ADDRESS_OR_CIDR_NOTATION": (400, "The address %s must be in valid IP address or CIDR notation."),
    "MULTIPLE_VALUES_SPECIFIED_FOR_ONE_NETWORK_PERMISSION_ENTRY": (400, "Should not specify both the IP address and the CIDR block."),
    "MISSING_ONE_OF_THREE_ATTRIBUTES": (400, "Either the %s attribute, the %s attribute, or the %s attribute must be specified."),
    "DUPLICATE_ADDRESSES_IN_INPUT": (400, "Duplicate address %s specified in the request."),
    "INVALID_NETWORK_PERMISSION_COMMENT": (400, "The comment %s must be 80 characters or less."),
    "EXPIRATION_DATE_EXCEEDS_MAX": (400, "The specified expiration date can be at most %s days in the future."),
    "EXPIRATION_DATE_IN_PAST": (400, "The specified expiration date must be in the future."),
    "NETWORK_PERMISSION_EXPIRATION_NOT_SUPPORTED": (400, "Expiration dates are only supported for IP addresses."),
    "CANNOT_USE_AWS_SECURITY_GROUP_WITHOUT_VPC_PEERING_CONNECTION": (
        400, "Cannot use aws security groups as whitelist entries without a vpc peering connection."),
    "USER_UNAUTHORIZED": (401, "Current user is not authorized to perform this action."),
    "NOT_IN_GROUP": (401, "The current user is not in the group, or the group does not exist."),
    "IP_ADDRESS_NOT_ON_ACCESS_LIST": (403, "IP address %s is not allowed to access this resource."),
    "ATLAS_NETWORK_PERMISSIONS_LIMIT_EXCEEDED": (403, "Too many network permission entries. Only %s entries are supported."),
    "RESOURCE_NOT_FOUND": (404, "Cannot find resource %s."),
    "GROUP_NOT_FOUND": (404, "No group with ID %s exists."),
    "GROUP_NAME_NOT_FOUND": (404, 'No group with name "%s" exists.'),
    "CLOUD_PROVIDER_CONTAINER_NOT_FOUND": (404, "An invalid cloud provider container ID %s was specified."),
    "PEER_NOT_FOUND": (404, "No peer with ID %s exists in project %s."),
    "ATLAS_NETWORK_PERMISSION_ENTRY_NOT_FOUND": (404, "IP Address %s not on Atlas access list for group %s."),
    "CLUSTER_NOT_FOUND": (404, "No cluster named %s exists in group %s."),  # recorded: other-clusters-get-404-1.json
    "USERNAME_NOT_FOUND": (404, "No user with username %s exists."),  # GUESS: the detail (the code: the Atlas Kubernetes operator)
    "INVALID_VERSION_DATE": (406, "Invalid accept header or version date."),
    "CONTAINERS_IN_USE": (409, "Cannot modify in use containers. %s."),
    "CONTAINER_ALREADY_EXISTS": (409, "A container already exists for group %s."),
    "OVERLAPPING_ATLAS_CIDR_BLOCK": (409, "The CIDR block %s overlaps with an Atlas CIDR block."),
    "OVERLAPPING_CIDR_BLOCK": (409, "The CIDR block %s overlaps with another peer's CIDR block."),
    "PEER_ALREADY_EXISTS": (409, "The peer with AWS Account ID %s and VPC ID %s already exists."),
    "USER_ALREADY_EXISTS": (409, "The specified user already exists."),  # GUESS: code and detail
    "PEER_ALREADY_REQUESTED_DELETION": (409, "The peer with ID %s has already been requested for deletion."),
    "PEER_INVALID_STATE": (409, "The peer with ID %s in group %s cannot be updated in its current state."),
    "PEER_MAXIMUM_REACHED": (409, "The maximum number of peering connections (%s) has been reached."),
    "RATE_LIMITED": (429, "Resource %s is limited to %s requests every %s minutes."),
    "RATE_LIMITED_TOKEN_BUCKET": (
        429, "Rate limit exceeded for %s. Please retry after %s seconds. Request capacity: %s. Refill rate: %s per %s seconds."),
    "UNEXPECTED_ERROR": (500, "Unexpected error."),
    "SERVICE_UNAVAILABLE": (503, "Service unavailable."),
}


class ApiError(Exception):
    """An Atlas error answer; raised anywhere in a handler, turned into the ApiError body by the app."""

    def __init__(self, error_code, *parameters, status=None, headers=None):
        # Unknown codes only come from injected faults, which always give a status.
        known_status, template = ERRORS.get(error_code, (status, "Injected fault."))
        self.status = status or known_status
        self.error_code = error_code
        self.parameters = list(parameters)
        self.detail = template % tuple(parameters) if "%" in template else template
        self.headers = dict(headers or {})
        super().__init__(f"{self.status} {error_code}: {self.detail}")

    def with_headers(self, headers):
        """The same error, answering with these headers as well (its own win)."""
        self.headers = dict(headers, **self.headers)
        return self

    def body(self):
        return {
            "detail": self.detail,
            "error": self.status,
            "errorCode": self.error_code,
            "parameters": self.parameters,
            "reason": HTTPStatus(self.status).phrase,
        }
