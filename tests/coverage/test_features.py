"""Coverage of the OpenAPI language: one focused test per feature, against packages generated from
``specs/features31.yaml`` (3.1) and ``specs/features30.yaml`` (3.0, multi-file)."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pydantic
import pytest

from generator.cli import main

SPECS = Path(__file__).resolve().parent / "specs"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("coverage")
    warnings: dict[str, str] = {}
    for name in ("features31", "features30"):
        code = main(
            [
                "generate",
                str(SPECS / f"{name}.yaml"),
                "--output",
                str(out / name),
                "--package",
                f"cov_{name}",
            ]
        )
        assert code == 0
        sys.path.insert(0, str(out / name))
    yield {"out": out, "warnings": warnings}
    for name in ("features31", "features30"):
        sys.path.remove(str(out / name))
        for module in [m for m in sys.modules if m.startswith(f"cov_{name}")]:
            del sys.modules[module]


def pkg(built: dict[str, Any], name: str = "features31", sub: str = "") -> ModuleType:
    return importlib.import_module(f"cov_{name}{'.' + sub if sub else ''}")


def model(built: dict[str, Any], cls: str, name: str = "features31") -> Any:
    return getattr(pkg(built, name, "models"), cls)


def api(built: dict[str, Any], cls: str) -> Any:
    return getattr(pkg(built, "features31", "api"), cls)


def endpoint(built: dict[str, Any], module: str, const: str) -> Any:
    return getattr(pkg(built, "features31", f"api.{module}"), const)


def test_every_model_and_api_imports(built: dict[str, Any]) -> None:
    for name in ("features31", "features30"):
        for sub in ("models", "api"):
            namespace = pkg(built, name, sub)
            for export in namespace.__all__:
                assert getattr(namespace, export) is not None


def test_generated_code_is_mypy_strict_clean(built: dict[str, Any]) -> None:
    out = built["out"]
    for name in ("features31", "features30"):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "mypy",
                "--strict",
                "--no-incremental",
                "--cache-dir",
                str(out / ".mypy"),
                f"cov_{name}",
            ],
            cwd=out / name,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_all_of_merges_fields(built: dict[str, Any]) -> None:
    new_pet = model(built, "NewPet")
    assert set(new_pet.model_fields) == {"created", "name"}
    assert new_pet.model_fields["name"].is_required()
    assert new_pet(
        name="x", created="2024-01-02T03:04:05Z"
    ).created == datetime.fromisoformat("2024-01-02T03:04:05+00:00")


def test_one_of_with_discriminator_mapping_is_a_discriminated_union(
    built: dict[str, Any],
) -> None:
    shape, cat, dog = model(built, "Shape"), model(built, "Cat"), model(built, "Dog")
    assert isinstance(
        shape.model_validate({"petType": "kitty", "barks": True}).root, cat
    )
    assert isinstance(
        shape.model_validate({"petType": "doggo", "meows": True}).root, dog
    )
    with pytest.raises(pydantic.ValidationError):
        shape.model_validate({"petType": "unknown"})


def test_one_of_with_implicit_discriminator_uses_schema_names(
    built: dict[str, Any],
) -> None:
    animal, dog = model(built, "Animal"), model(built, "Dog")
    assert isinstance(animal.model_validate({"petType": "Dog"}).root, dog)
    assert isinstance(animal.model_validate(dog(petType="Dog")).root, dog)


def test_any_of_without_discriminator(built: dict[str, Any]) -> None:
    pet = model(built, "Pet")
    assert pet.model_fields["either"].annotation == (str | int | None)


def test_nullable_30_and_type_arrays_31(built: dict[str, Any]) -> None:
    opt = model(built, "Opt", "features30")
    assert opt(note=None).note is None
    wrapper = model(built, "Wrapper", "features30")
    assert wrapper(pet=None).pet is None
    pet = model(built, "Pet")
    assert (
        pet(
            id="00000000-0000-0000-0000-000000000001", name="n", kind="dog", seen=None
        ).seen
        is None
    )


def test_const_is_a_literal(built: dict[str, Any]) -> None:
    pet = model(built, "Pet")
    assert pet(name="n", kind="dog", const_field="fixed").const_field == "fixed"
    with pytest.raises(pydantic.ValidationError):
        pet(name="n", kind="dog", const_field="other")


def test_additional_properties_true_schema_false(built: dict[str, Any]) -> None:
    pet = model(built, "Pet")
    value = pet(
        name="n", kind="dog", extra={"a": 1}, anything={"b": [1]}, closed={"a": "x"}
    )
    assert (
        value.extra == {"a": 1}
        and value.anything == {"b": [1]}
        and value.closed.a == "x"
    )
    with pytest.raises(pydantic.ValidationError):
        pet(name="n", kind="dog", extra={"a": "not an int"})


def test_recursive_and_mutually_recursive_schemas(built: dict[str, Any]) -> None:
    tree = model(built, "Tree")
    value = tree.model_validate(
        {"children": [{"children": []}], "forest": {"trees": [{"children": []}]}}
    )
    assert value.children[0].children == [] and value.forest.trees[0].children == []
    owner = model(built, "Owner", "features30")
    assert (
        owner.model_validate({"items": [{"id": 1, "owner": {"name": "x"}}]})
        .items[0]
        .owner.name
        == "x"
    )


def test_enums(built: dict[str, Any]) -> None:
    kind = model(built, "Kind")
    names = {m.name: m.value for m in kind}
    assert (
        names["HAMSTER_MINUS_LIKE"] == "hamster-like"  # OpenAPI Generator's spelling
        and names["ENUM_1ST"] == "1st"
        and names["EMPTY"] == ""
    )
    assert (
        names["A_B"] == "a b" and names["A_B2"] == "A B"
    )  # colliding Python names get a suffix
    assert names["CLASS"] == "class" and names["SELF"] == "self"
    priority = model(built, "Priority")
    assert issubclass(priority, int) and priority(-1).name == "NUMBER_MINUS_1"
    mixed = model(built, "Mixed")
    assert {m.value for m in mixed} == {"1", "one", "True"}


def test_inline_schemas_get_deterministic_names(built: dict[str, Any]) -> None:
    models = pkg(built, "features31", "models")
    for name in ("PetNested", "PetNestedDeep", "UploadMeta", "GetPetCoords"):
        assert name in models.__all__


def test_refs_to_other_files(built: dict[str, Any]) -> None:
    item = model(built, "Item", "features30")
    assert item.model_fields["tags"].annotation == (list[str] | None)
    assert item(id=1, tags=["a"]).tags == ["a"]


def test_ref_with_siblings_is_generated(built: dict[str, Any]) -> None:
    wrapper = model(built, "Wrapper", "features30")
    assert (
        "sibling of a ref" in (wrapper.model_fields["pet"].description or "")
        or wrapper(pet=None).pet is None
    )


def test_parameter_styles(built: dict[str, Any]) -> None:
    rt = importlib.import_module("cov_features31._runtime.request")
    config = pkg(built).Configuration(host="http://h")
    get_pet = endpoint(built, "pets_owners_api", "_GET_PET")
    request = rt.build_request(
        get_pet,
        {
            "pet_id": "p1",
            "ids": [1, 2],
            "tags": ["a", "b"],
            "pipes": ["x", "y"],
            "filter": {"k": "v"},
            "x_trace": "t",
            "x_ids": ["1", "2"],
            "session": "s",
            "coords": {"lat": 1.5},
            "self_": "me",
            "class_": "c",
        },
        config,
    )
    url = request.url
    assert url.startswith("http://h/pets/p1?")
    assert "ids=1,2" in url or "ids=1%2C2" in url
    assert "tags=a%20b" in url and ("pipes=x|y" in url or "pipes=x%7Cy" in url)
    assert "filter%5Bk%5D=v" in url or "filter[k]=v" in url
    assert "self=me" in url and "class=c" in url and "coords=" in url
    assert request.headers["X-Trace"] == "t" and request.headers["X-Ids"] == "1,2"
    assert "session=s" in request.headers["Cookie"]
    matrix = endpoint(built, "weird_tag_with_spaces_api", "_GET_PET")
    request = rt.build_request(
        matrix, {"pet_id": "p", "color": ["r", "g"], "fmt": "json"}, config
    )
    assert request.url == "http://h/pets/p/matrix;color=r,g/label.json"


def test_request_content_types(built: dict[str, Any]) -> None:
    rt = importlib.import_module("cov_features31._runtime.request")
    config = pkg(built).Configuration(host="http://h")
    create = endpoint(built, "pets_owners_api", "_GET_PET2")
    assert create.body.kind == "json"
    form = endpoint(built, "default_api", "_SUBMIT_FORM")
    request = rt.build_request(form, {"q": "query", "q2": "field", "n": 3}, config)
    assert request.url.endswith("?q=query") and request.body == b"q=field&n=3"
    upload = endpoint(built, "default_api", "_UPLOAD")
    assert upload.body.kind == "multipart"
    assert [(f.wire_name, f.is_file, f.content_type) for f in upload.body.fields] == [
        ("file", True, None),
        ("meta", False, "application/json"),
        ("names", False, None),
    ]
    assert endpoint(built, "default_api", "_PUT_TEXT").body.kind == "text"
    binary = endpoint(built, "default_api", "_PUT_BINARY")
    assert binary.body.kind == "binary"
    assert rt.build_request(binary, {"body": b"\x00\x01"}, config).body == b"\x00\x01"


def test_responses_per_status_range_and_default(built: dict[str, Any]) -> None:
    get_pet = endpoint(built, "pets_owners_api", "_GET_PET")
    types = get_pet.response_types()
    assert set(types) == {"200", "2XX", "4XX", "default"}
    assert (
        types["200"] is model(built, "Pet")
        and types["2XX"] is str
        and types["default"] is model(built, "Problem")
    )
    assert (
        "application/vnd.pet+json" in get_pet.accept
        and "application/problem+json" in get_pet.accept
    )
    binary = endpoint(built, "default_api", "_PUT_BINARY")
    assert binary.response_types()["200"] is bytes
    assert endpoint(built, "default_api", "_PUT_TEXT").response_types()["200"] is str


def test_read_only_and_write_only_are_not_required(built: dict[str, Any]) -> None:
    fields = model(built, "Pet").model_fields
    assert not fields["id"].is_required() and not fields["password"].is_required()
    assert fields["name"].is_required()


def test_formats(built: dict[str, Any]) -> None:
    pet = model(built, "Pet")
    value = pet.model_validate(
        {
            "name": "n",
            "kind": "dog",
            "born": "2024-01-02",
            "seen": "2024-01-02T03:04:05Z",
            "weight": "1.10",
            "big": 2**62,
            "photo": "aGk=",
        }
    )
    assert value.born == date(2024, 1, 2) and isinstance(value.seen, datetime)
    assert (
        value.weight == Decimal("1.10") and value.big == 2**62 and value.photo == "aGk="
    )


def test_deprecated_operation_is_documented(built: dict[str, Any]) -> None:
    method = api(built, "PetsOwnersApi").get_pet
    assert "Deprecated" in (inspect.getdoc(method) or "")


def test_server_variables_and_per_operation_servers(built: dict[str, Any]) -> None:
    assert pkg(built).Configuration().host == "https://eu.example.com/v1"
    # The operation's server keeps its variables: resolved with their defaults unless the
    # configuration gives values for this operation.
    (server,) = endpoint(built, "pets_owners_api", "_GET_PET").servers
    assert server.url == "https://{zone}.pets.example.com"
    assert server.resolve() == "https://z1.pets.example.com"
    assert server.resolve({"zone": "z2"}) == "https://z2.pets.example.com"


def test_name_collisions(built: dict[str, Any]) -> None:
    models = pkg(built, "features31", "models").__all__
    for wanted in (
        "ConfigurationModel",
        "ApiClientModel",
        "ListModel",
        "AnyModel",
        "OptionalModel",
        "SelfModel",
        "Class",
    ):
        assert wanted in models
    assert pkg(built).Configuration.__module__ == "cov_features31.configuration"
    pets = api(built, "PetsOwnersApi")
    assert hasattr(pets, "get_pet") and hasattr(pets, "get_pet2")  # getPet / get_pet
    assert hasattr(
        api(built, "WeirdTagWithSpacesApi"), "get_pet"
    )  # get-pet, another tag
    assert "self_" in inspect.signature(pets.get_pet).parameters
    assert {"q", "q2"} <= set(
        inspect.signature(api(built, "DefaultApi").submit_form).parameters
    )
    pet = model(built, "Pet")
    value = pet.model_validate(
        {
            "name": "n",
            "kind": "dog",
            "class": "c",
            "model_config": "m",
            "not an identifier": 1 and "x",
        }
    )
    assert (
        value.class_ == "c"
        and value.model_config_ == "m"
        and value.not_an_identifier == "x"
    )
    assert value.to_dict()["class"] == "c"


def test_untypable_schemas_degrade_with_a_located_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "loose.yaml"
    spec.write_text(
        'openapi: 3.1.0\ninfo: {title: T, version: "1"}\npaths: {}\ncomponents:\n  schemas:\n    Loose:\n'
        "      type: object\n      properties:\n        notx: {not: {type: string}}\n"
        "        obj_const: {const: {a: 1}}\n        weird: {type: strange}\n"
    )
    assert (
        main(
            [
                "generate",
                str(spec),
                "--output",
                str(tmp_path / "out"),
                "--package",
                "loose",
                "--lenient",
            ]
        )
        == 0
    )
    err = capsys.readouterr().err
    assert "/components/schemas/Loose/properties/notx: `not` cannot be expressed" in err
    assert (
        "/components/schemas/Loose/properties/obj_const: a non-scalar const is typed as Any"
        in err
    )
    source = (tmp_path / "out" / "loose" / "models" / "loose.py").read_text()
    for field in ("notx:", "obj_const: Any", "weird: Any"):
        assert field in source
