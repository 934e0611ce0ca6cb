"""Every kind of change the diff reports: a stable identifier, its lens, the bump it needs.

The HTTP kinds follow the checks oasdiff documents (what an already-deployed client meets when the server moves
to the new contract): the same change is breaking on one side of the wire and harmless on the other, so schema
checks come in a request and a response flavour. The Python kinds are griffe's API-breakage kinds plus what
griffe does not look at (annotations, pydantic fields, enum members, additions).
"""

from __future__ import annotations

from .change import Kind, Level

KINDS: dict[str, Kind] = {}


def _kind(
    id: str, lens: str, level: Level, summary: str, *, added: bool = False
) -> Kind:
    kind = Kind(id, lens, level, summary, added)  # type: ignore[arg-type]
    if id in KINDS:
        raise ValueError(f"kind {id} registered twice")
    KINDS[id] = kind
    return kind


def kind(id: str) -> Kind:
    return KINDS[id]


def _http(id: str, level: Level, summary: str, *, added: bool = False) -> None:
    _kind(id, "http", level, summary, added=added)


def _python(id: str, level: Level, summary: str, *, added: bool = False) -> None:
    _kind(id, "python", level, summary, added=added)


# -- HTTP: operations, servers, the document ---------------------------------------------------------------
_http("operation-removed", "major", "an operation was removed")
_http("operation-added", "minor", "an operation was added", added=True)
_http(
    "operation-moved",
    "major",
    "an operation (same operationId) moved to another method or path",
)
_http("operation-deprecated", "minor", "an operation was marked deprecated")
_http("operation-reactivated", "minor", "an operation is no longer deprecated")
_http(
    "operation-id-changed",
    "patch",
    "an operation's operationId changed (the wire is unchanged)",
)
_http("operation-tags-changed", "patch", "an operation moved to other tags")
_http("operation-doc-changed", "patch", "an operation's summary or description changed")
_http("server-removed", "major", "a server URL was removed")
_http("server-added", "minor", "a server URL was added", added=True)
_http("info-changed", "patch", "the API's title, description or version changed")

# -- HTTP: parameters ---------------------------------------------------------------------------------------
_http("request-parameter-removed", "major", "a request parameter was removed")
_http(
    "request-parameter-added-required",
    "major",
    "a required request parameter was added",
)
_http(
    "request-parameter-added-optional",
    "minor",
    "an optional request parameter was added",
    added=True,
)
_http(
    "request-parameter-moved",
    "major",
    "a request parameter moved (e.g. from the query to a header)",
)
_http(
    "request-parameter-renamed",
    "major",
    "a request parameter was renamed (marked with x-clientgen-renamed-from)",
)
_http(
    "request-parameter-became-required", "major", "a request parameter became required"
)
_http(
    "request-parameter-became-optional", "minor", "a request parameter became optional"
)
_http(
    "request-parameter-serialization-changed",
    "major",
    "a request parameter's style or explode changed",
)

# -- HTTP: request bodies -----------------------------------------------------------------------------------
_http("request-body-added-required", "major", "a required request body was added")
_http(
    "request-body-added-optional",
    "minor",
    "an optional request body was added",
    added=True,
)
_http("request-body-removed", "major", "the request body was removed")
_http("request-body-became-required", "major", "the request body became required")
_http("request-body-became-optional", "minor", "the request body became optional")
_http(
    "request-media-type-removed",
    "major",
    "a request content type is no longer accepted",
)
_http(
    "request-media-type-added", "minor", "a request content type was added", added=True
)

# -- HTTP: responses ----------------------------------------------------------------------------------------
_http(
    "response-success-status-removed", "major", "a success status is no longer returned"
)
_http(
    "response-success-status-added", "minor", "a success status was added", added=True
)
_http("response-error-status-removed", "minor", "an error status was removed")
_http("response-error-status-added", "minor", "an error status was added", added=True)
_http(
    "response-media-type-removed",
    "major",
    "a response content type is no longer returned",
)
_http(
    "response-media-type-added",
    "minor",
    "a response content type was added",
    added=True,
)
_http("response-header-removed", "major", "a response header is no longer returned")
_http("response-header-added", "minor", "a response header was added", added=True)
_http("response-doc-changed", "patch", "a response's description changed")

# -- HTTP: security -----------------------------------------------------------------------------------------
_http(
    "security-requirement-added",
    "major",
    "an operation needs credentials it did not need",
)
_http(
    "security-alternative-removed",
    "major",
    "a way to authenticate an operation is no longer accepted",
)
_http(
    "security-alternative-added",
    "minor",
    "a new way to authenticate an operation",
    added=True,
)
_http(
    "security-scope-added",
    "major",
    "an operation needs an OAuth2 scope it did not need",
)
_http("security-scope-removed", "minor", "an operation needs fewer OAuth2 scopes")
_http("security-scheme-removed", "major", "a security scheme was removed")
_http("security-scheme-added", "minor", "a security scheme was added", added=True)
_http(
    "security-scheme-changed",
    "major",
    "a security scheme sends its credentials differently",
)
_http(
    "security-scheme-url-changed",
    "major",
    "an OAuth2/OpenID Connect URL of a security scheme changed",
)
_http(
    "security-scheme-scope-removed",
    "major",
    "a security scheme no longer offers an OAuth2 scope",
)
_http(
    "security-scheme-scope-added",
    "minor",
    "a security scheme offers a new OAuth2 scope",
    added=True,
)

# -- HTTP: schemas, once for each place a schema stands ------------------------------------------------------
# (what, level when the schema is sent by the client, level when it is returned by the server, summary)
_SCHEMA_CHECKS: tuple[tuple[str, Level, Level, str], ...] = (
    ("type-changed", "major", "major", "the type changed"),
    ("type-widened", "minor", "major", "the type was widened (more values accepted)"),
    (
        "type-narrowed",
        "major",
        "minor",
        "the type was narrowed (fewer values accepted)",
    ),
    ("format-changed", "major", "major", "the format changed"),
    ("became-nullable", "minor", "major", "null became allowed"),
    ("became-not-nullable", "major", "minor", "null is no longer allowed"),
    ("enum-value-added", "minor", "major", "an enum value was added"),
    ("enum-value-removed", "major", "minor", "an enum value was removed"),
    ("became-enum", "major", "minor", "the values were restricted to an enum"),
    ("enum-removed", "minor", "major", "the enum restriction was lifted"),
    ("constraint-tightened", "major", "minor", "a constraint was added or tightened"),
    ("constraint-loosened", "minor", "major", "a constraint was removed or loosened"),
    ("default-changed", "minor", "minor", "the default value changed"),
    ("variant-added", "minor", "major", "a oneOf/anyOf variant was added"),
    ("variant-removed", "major", "minor", "a oneOf/anyOf variant was removed"),
    ("discriminator-changed", "major", "major", "the discriminator changed"),
    ("deprecated", "minor", "minor", "was marked deprecated"),
    ("doc-changed", "patch", "patch", "the description, title or example changed"),
)
_REQUEST_PLACES = ("request-parameter", "request-body", "request-property")
_RESPONSE_PLACES = ("response-body", "response-property", "response-header")
for _what, _request_level, _response_level, _summary in _SCHEMA_CHECKS:
    for _place in _REQUEST_PLACES:
        _http(
            f"{_place}-{_what}",
            _request_level,
            f"{_place.replace('-', ' ')}: {_summary}",
        )
    for _place in _RESPONSE_PLACES:
        _http(
            f"{_place}-{_what}",
            _response_level,
            f"{_place.replace('-', ' ')}: {_summary}",
        )

# Object properties: present, required, renamed, writable.
_http(
    "request-property-added-required",
    "major",
    "a request body gained a required property",
)
_http(
    "request-property-added-optional",
    "minor",
    "a request body gained an optional property",
    added=True,
)
_http(
    "request-property-removed",
    "minor",
    "a request property was removed (the server ignores it now)",
)
_http("request-property-became-required", "major", "a request property became required")
_http("request-property-became-optional", "minor", "a request property became optional")
_http(
    "request-property-renamed",
    "major",
    "a request property was renamed (marked with x-clientgen-renamed-from)",
)
_http(
    "request-property-became-read-only", "major", "a request property became read-only"
)
_http("response-property-added", "minor", "a response gained a property", added=True)
_http(
    "response-required-property-removed",
    "major",
    "a required response property was removed",
)
_http(
    "response-optional-property-removed",
    "minor",
    "an optional response property was removed",
)
_http(
    "response-property-became-optional",
    "major",
    "a response property is no longer always returned",
)
_http(
    "response-property-became-required",
    "minor",
    "a response property is now always returned",
)
_http(
    "response-property-renamed",
    "major",
    "a response property was renamed (marked with x-clientgen-renamed-from)",
)
_http(
    "response-property-became-write-only",
    "major",
    "a response property is no longer returned (write-only)",
)

# -- Python: griffe's breakages ------------------------------------------------------------------------------
_python("python-class-removed", "major", "a class (API, model, enum) was removed")
_python("python-method-removed", "major", "a method was removed")
_python("python-attribute-removed", "major", "a public attribute was removed")
_python(
    "python-export-removed",
    "major",
    "a name is no longer exported by a package namespace",
)
_python("python-module-removed", "major", "a module was removed")
_python(
    "python-object-kind-changed",
    "major",
    "an object changed kind (e.g. a class became an attribute)",
)
_python("python-parameter-removed", "major", "a method lost a parameter")
_python("python-parameter-moved", "major", "a positional parameter moved")
_python(
    "python-parameter-kind-changed",
    "major",
    "a parameter changed kind (positional, keyword-only)",
)
_python("python-parameter-default-changed", "major", "a parameter's default changed")
_python("python-parameter-became-required", "major", "a parameter became required")
_python("python-parameter-added-required", "major", "a required parameter was added")
_python("python-return-type-changed", "major", "a method's return type changed")
_python("python-class-base-removed", "major", "a class lost a base class")
# -- Python: what griffe does not check ----------------------------------------------------------------------
_python("python-parameter-type-changed", "major", "a parameter's type changed")
_python("python-model-field-removed", "major", "a model lost a field")
_python("python-model-field-type-changed", "major", "a model field's type changed")
_python("python-model-field-added-required", "major", "a model gained a required field")
_python("python-model-field-became-required", "major", "a model field became required")
_python("python-enum-member-removed", "major", "an enum lost a member")
_python("python-enum-member-value-changed", "major", "an enum member's value changed")
_python(
    "python-class-renamed",
    "major",
    "a class was renamed (marked with x-clientgen-renamed-from)",
)
_python(
    "python-method-renamed",
    "major",
    "a method was renamed (marked with x-clientgen-renamed-from)",
)
_python(
    "python-model-field-renamed",
    "major",
    "a model field was renamed (marked with x-clientgen-renamed-from)",
)
_python("python-class-added", "minor", "a class was added", added=True)
_python("python-method-added", "minor", "a method was added", added=True)
_python(
    "python-export-added",
    "minor",
    "a name was added to a package namespace",
    added=True,
)
_python(
    "python-parameter-added-optional",
    "minor",
    "an optional parameter was added",
    added=True,
)
_python("python-parameter-became-optional", "minor", "a parameter became optional")
_python(
    "python-parameter-type-widened",
    "minor",
    "a parameter accepts more types than before",
)
_python(
    "python-model-field-added", "minor", "a model gained an optional field", added=True
)
_python("python-model-field-became-optional", "minor", "a model field got a default")
_python("python-enum-member-added", "minor", "an enum gained a member", added=True)
