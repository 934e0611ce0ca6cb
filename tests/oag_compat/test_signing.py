"""Item 11: HTTP signature authentication (the ``http``/``signature`` scheme): ``pkg.signing``, requests
signed as sent, and every signature checked here with the public key."""

from __future__ import annotations

import base64
import datetime
import hashlib
import re
from pathlib import Path
from types import ModuleType

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from tests.support.recording_server import RecordedRequest, RecordingServer


def _write_key(path: Path, key: object, password: bytes | None = None) -> str:
    encryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    path.write_bytes(
        key.private_bytes(  # type: ignore[attr-defined]
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )
    )
    return str(path)


def _parameters(header: str) -> dict[str, str]:
    assert header.startswith("Signature ")
    return {k: v.strip('"') for k, v in re.findall(r'(\w+)=("[^"]*"|\d+)', header)}


def _signed_text(request: RecordedRequest, params: dict[str, str]) -> bytes:
    lines = []
    for name in params["headers"].split(" "):
        if name == "(request-target)":
            value = f"{request.method.lower()} {request.target}"
        elif name in ("(created)", "(expires)"):
            value = params[name[1:-1]]
        else:
            value = request.header(name)
        lines.append(f"{name}: {value}")
    return "\n".join(lines).encode()


def _send(
    kennel: ModuleType, server: RecordingServer, signing: object
) -> RecordedRequest:
    server.enqueue(200, json={"kind": "dog", "name": "Rex"})
    config = kennel.Configuration(host=server.url + "/base", signing_info=signing)
    with kennel.ApiClient(config) as client:
        kennel.DogsApi(client).add_dog(kennel.Dog(kind="dog", name="Rex"))
    return server.requests[-1]


def test_rsa_pss_signature_verifies(
    kennel: ModuleType, server: RecordingServer, tmp_path: Path
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signing = kennel.signing.HttpSigningConfiguration(
        key_id="kennel-key",
        signing_scheme=kennel.signing.SCHEME_HS2019,
        private_key_path=_write_key(tmp_path / "rsa.pem", key, b"secret"),
        private_key_passphrase="secret",
        signed_headers=[
            kennel.signing.HEADER_REQUEST_TARGET,
            kennel.signing.HEADER_CREATED,
            kennel.signing.HEADER_EXPIRES,
            kennel.signing.HEADER_HOST,
            kennel.signing.HEADER_DATE,
            kennel.signing.HEADER_DIGEST,
            "Content-Type",
        ],
        signature_max_validity=datetime.timedelta(minutes=5),
    )
    request = _send(kennel, server, signing)
    params = _parameters(request.header("Authorization") or "")
    assert params["keyId"] == "kennel-key" and params["algorithm"] == "hs2019"
    assert (
        params["headers"]
        == "(request-target) (created) (expires) host date digest content-type"
    )
    assert int(params["expires"]) - int(params["created"]) == 300
    assert request.target == "/base/dogs"
    body_digest = base64.b64encode(hashlib.sha256(request.body).digest()).decode()
    assert request.header("Digest") == "SHA-256=" + body_digest
    signature = base64.b64decode(params["signature"])
    text = _signed_text(request, params)
    key.public_key().verify(
        signature,
        text,
        padding.PSS(
            mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH
        ),
        hashes.SHA256(),
    )
    with pytest.raises(InvalidSignature):  # the check is real: another message fails
        key.public_key().verify(
            signature,
            text.replace(b"post", b"put"),
            padding.PSS(
                mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH
            ),
            hashes.SHA256(),
        )


def test_rsa_sha512_scheme_signs_with_pkcs1(
    kennel: ModuleType, server: RecordingServer, tmp_path: Path
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signing = kennel.signing.HttpSigningConfiguration(
        key_id="k",
        signing_scheme=kennel.signing.SCHEME_RSA_SHA512,
        private_key_path=_write_key(tmp_path / "rsa.pem", key),
        signed_headers=[
            kennel.signing.HEADER_REQUEST_TARGET,
            kennel.signing.HEADER_CREATED,
        ],
    )
    request = _send(kennel, server, signing)
    params = _parameters(request.header("Authorization") or "")
    key.public_key().verify(
        base64.b64decode(params["signature"]),
        _signed_text(request, params),
        padding.PKCS1v15(),
        hashes.SHA512(),
    )


def test_ecdsa_signature_verifies(
    kennel: ModuleType, server: RecordingServer, tmp_path: Path
) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    signing = kennel.signing.HttpSigningConfiguration(
        key_id="ec",
        signing_scheme=kennel.signing.SCHEME_HS2019,
        private_key_path=_write_key(tmp_path / "ec.pem", key),
        hash_algorithm=kennel.signing.HASH_SHA512,
        signed_headers=[
            kennel.signing.HEADER_REQUEST_TARGET,
            kennel.signing.HEADER_DIGEST,
        ],
    )
    request = _send(kennel, server, signing)
    params = _parameters(request.header("Authorization") or "")
    assert "created" not in params
    assert (
        request.header(
            "Digest",
        )
        == "SHA-512=" + base64.b64encode(hashlib.sha512(request.body).digest()).decode()
    )
    key.public_key().verify(
        base64.b64decode(params["signature"]),
        _signed_text(request, params),
        ec.ECDSA(hashes.SHA512()),
    )


def test_signature_is_only_used_when_configured(
    kennel: ModuleType, server: RecordingServer
) -> None:
    server.enqueue(200, json={"kind": "dog", "name": "Rex"})
    config = kennel.Configuration(host=server.url)
    config.api_key["key"] = "plain-key"
    with kennel.ApiClient(config) as client:
        kennel.DogsApi(client).get_dog(
            1
        )  # signed or key: the key is what is configured
    assert server.requests[0].header("X-Key") == "plain-key"
    assert server.requests[0].header("Authorization") is None


def test_invalid_configurations(kennel: ModuleType, tmp_path: Path) -> None:
    signing = kennel.signing
    path = _write_key(tmp_path / "k.pem", ec.generate_private_key(ec.SECP256R1()))
    cases = [
        ({"signing_scheme": "foo"}, "Unsupported security scheme"),
        (
            {
                "signing_scheme": signing.SCHEME_RSA_SHA256,
                "hash_algorithm": signing.HASH_SHA512,
            },
            "must be sha256",
        ),
        ({"signed_headers": [signing.HEADER_EXPIRES]}, "max validity must be set"),
        ({"signed_headers": ["Host", "host"]}, "duplicates"),
        ({"signed_headers": ["Authorization"]}, "cannot be included"),
        (
            {"signing_algorithm": signing.ALGORITHM_RSASSA_PSS},
            "not compatible with private key",
        ),
        ({"private_key_path": str(tmp_path / "missing.pem")}, "does not exist"),
        ({"signature_max_validity": datetime.timedelta(seconds=-1)}, "positive value"),
    ]
    for changes, message in cases:
        arguments = {
            "key_id": "k",
            "signing_scheme": signing.SCHEME_HS2019,
            "private_key_path": path,
        }
        arguments.update(changes)
        with pytest.raises(ValueError, match=message):
            signing.HttpSigningConfiguration(**arguments)


def test_packaging_declares_the_extra(generated: Path) -> None:
    pyproject = (generated / "kennel/pyproject.toml").read_text()
    assert 'signing = ["cryptography>=42"]' in pyproject
    assert (
        "signing"
        not in (
            Path(__file__).resolve().parents[2] / "generated/plane/pyproject.toml"
        ).read_text()
    )
