"""Item 1: a schema's ``default`` is the field's Python default (inherited allOf defaults, enum members and
lists included), shown in the docs, and never sent by itself."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

from tests.support.recording_server import RecordingServer


def test_defaults_are_attribute_values(kennel: ModuleType) -> None:
    dog = kennel.Dog(kind="dog", name="Rex")
    # colour and legs come from Animal through allOf; mood is an inline enum; size an enum class
    assert (dog.colour, dog.legs, dog.mood) == ("brown", 4, "calm")
    assert dog.size is kennel.Size.SMALL
    assert dog.nicknames == ["rex"]
    assert dog.tag is None and dog.label is None


def test_list_defaults_are_not_shared(kennel: ModuleType) -> None:
    first, second = kennel.Dog(kind="d", name="a"), kennel.Dog(kind="d", name="b")
    first.nicknames.append("buddy")
    assert second.nicknames == ["rex"]


def test_defaults_are_not_serialised_unless_set(
    kennel: ModuleType, server: RecordingServer
) -> None:
    dog = kennel.Dog(kind="dog", name="Rex")
    assert dog.to_dict() == {"kind": "dog", "name": "Rex"}
    dog.legs = 3
    assert dog.to_dict() == {"kind": "dog", "name": "Rex", "legs": 3}
    # a request body leaves unset defaults to the server too
    server.enqueue(200, json={"kind": "dog", "name": "Rex"})
    config = kennel.Configuration(host=server.url)
    config.api_key["key"] = "k"
    with kennel.ApiClient(config) as client:
        kennel.DogsApi(client).add_dog(kennel.Dog(kind="dog", name="Rex"))
    assert json.loads(server.requests[0].body) == {"kind": "dog", "name": "Rex"}


def test_parsed_payload_gets_defaults_for_missing_fields(kennel: ModuleType) -> None:
    dog = kennel.Dog.from_json('{"kind": "dog", "name": "Rex", "legs": 5}')
    assert (dog.legs, dog.colour, dog.size) == (5, "brown", kennel.Size.SMALL)
    assert dog.to_str().count("'colour': 'brown'") == 1


def test_docs_show_model_and_parameter_defaults(generated: Path) -> None:
    model_doc = (generated / "kennel/docs/Dog.md").read_text()
    assert (
        "**colour** | **str** |  | [optional] [default to &#39;brown&#39;]" in model_doc
    )
    assert "[default to 4]" in model_doc
    api_doc = (generated / "kennel/docs/DogsApi.md").read_text()
    assert "[default to &#39;en&#39;]" in api_doc and "[default to False]" in api_doc
    # the example passes the default, and says so, as OpenAPI Generator's examples do
    assert "lang = 'en' # str | reply language (optional) (default to 'en')" in api_doc
    assert "verbose = False # bool |  (optional) (default to False)" in api_doc
