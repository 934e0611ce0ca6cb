"""HTTP message signatures (draft-cavage-http-signatures-12), for the OpenAPI ``http``/``signature`` scheme.

Configure it as with OpenAPI Generator's clients::

    configuration.signing_info = HttpSigningConfiguration(
        key_id="my-key-id",
        signing_scheme=SCHEME_HS2019,
        private_key_path="private_key.pem",
        signed_headers=[HEADER_REQUEST_TARGET, HEADER_CREATED, HEADER_HOST, HEADER_DIGEST],
        signature_max_validity=datetime.timedelta(minutes=5),
    )

Every request of an operation secured by the scheme then carries ``Authorization: Signature keyId=…,
algorithm=…,created=…,headers=…,signature=…`` (plus the ``Date``, ``Host`` and ``Digest`` headers it signs).
The signature covers the request exactly as sent: its method, path and query, headers and body bytes.

The keys (RSA, with RSASSA-PSS or RSASSA-PKCS1-v1_5; EC, with ECDSA) are read and used with the
``cryptography`` package, which only packages with such a scheme need: install it with the package's
``signing`` extra. ``rsa-sha256``/``rsa-sha512`` sign with RSASSA-PKCS1-v1_5 as that draft defines them;
``hs2019`` with RSASSA-PSS (RSA keys) or ECDSA (EC keys) unless ``signing_algorithm`` says otherwise.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import os
import time
from collections.abc import Mapping, Sequence
from email.utils import formatdate
from typing import Any
from urllib.parse import urlencode, urlsplit

__all__ = [
    "ALGORITHM_ECDSA_KEY_SIGNING_ALGORITHMS",
    "ALGORITHM_ECDSA_MODE_DETERMINISTIC_RFC6979",
    "ALGORITHM_ECDSA_MODE_FIPS_186_3",
    "ALGORITHM_RSASSA_PKCS1v15",
    "ALGORITHM_RSASSA_PSS",
    "HASH_SHA256",
    "HASH_SHA512",
    "HEADER_AUTHORIZATION",
    "HEADER_CREATED",
    "HEADER_DATE",
    "HEADER_DIGEST",
    "HEADER_EXPIRES",
    "HEADER_HOST",
    "HEADER_REQUEST_TARGET",
    "SCHEME_HS2019",
    "SCHEME_RSA_SHA256",
    "SCHEME_RSA_SHA512",
    "HttpSigningConfiguration",
]

# Pseudo-headers and headers a signature may cover (the names OpenAPI Generator's clients use).
HEADER_REQUEST_TARGET = "(request-target)"
HEADER_CREATED = "(created)"
HEADER_EXPIRES = "(expires)"
HEADER_HOST = "Host"
HEADER_DATE = "Date"
HEADER_DIGEST = "Digest"
HEADER_AUTHORIZATION = "Authorization"

SCHEME_HS2019 = "hs2019"
SCHEME_RSA_SHA256 = "rsa-sha256"
SCHEME_RSA_SHA512 = "rsa-sha512"

ALGORITHM_RSASSA_PSS = "RSASSA-PSS"
ALGORITHM_RSASSA_PKCS1v15 = "RSASSA-PKCS1-v1_5"
ALGORITHM_ECDSA_MODE_FIPS_186_3 = "fips-186-3"
ALGORITHM_ECDSA_MODE_DETERMINISTIC_RFC6979 = "deterministic-rfc6979"
ALGORITHM_ECDSA_KEY_SIGNING_ALGORITHMS = {
    ALGORITHM_ECDSA_MODE_FIPS_186_3,
    ALGORITHM_ECDSA_MODE_DETERMINISTIC_RFC6979,
}

HASH_SHA256 = "sha256"
HASH_SHA512 = "sha512"
_DIGEST_PREFIX = {HASH_SHA256: "SHA-256=", HASH_SHA512: "SHA-512="}


def _crypto() -> Any:
    """The ``cryptography`` modules signing needs (imported on first use)."""
    try:
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "HTTP signatures need the 'cryptography' package: install this client with its "
            "'signing' extra (pip install '<package>[signing]') or pip install cryptography"
        ) from exc
    return hashes, serialization, ec, padding, rsa


class HttpSigningConfiguration:
    """The key and the choices of an HTTP signature (OpenAPI Generator's class of that name).

    ``signed_headers`` defaults to ``[(created)]``; it may not hold ``Authorization`` nor a name twice, and
    ``(expires)`` needs ``signature_max_validity``. ``hash_algorithm`` defaults to the scheme's
    (``sha256`` for ``hs2019`` and ``rsa-sha256``, ``sha512`` for ``rsa-sha512``). Invalid choices raise
    ``ValueError``; the key is read when the object is made.
    """

    def __init__(
        self,
        key_id: str,
        signing_scheme: str,
        private_key_path: str | os.PathLike[str],
        private_key_passphrase: str | bytes | None = None,
        signed_headers: Sequence[str] | None = None,
        signing_algorithm: str | None = None,
        hash_algorithm: str | None = None,
        signature_max_validity: datetime.timedelta | None = None,
    ) -> None:
        if signing_scheme not in (SCHEME_HS2019, SCHEME_RSA_SHA256, SCHEME_RSA_SHA512):
            raise ValueError(f"Unsupported security scheme: {signing_scheme}")
        fixed = {SCHEME_RSA_SHA256: HASH_SHA256, SCHEME_RSA_SHA512: HASH_SHA512}
        if signing_scheme in fixed:
            if hash_algorithm not in (None, fixed[signing_scheme]):
                raise ValueError(
                    f"Hash algorithm must be {fixed[signing_scheme]} when security scheme is "
                    f"{signing_scheme}"
                )
            hash_algorithm = fixed[signing_scheme]
        elif hash_algorithm is None:
            hash_algorithm = HASH_SHA256
        if hash_algorithm not in _DIGEST_PREFIX:
            raise ValueError(f"Invalid hash algorithm: {hash_algorithm}")
        if (
            signature_max_validity is not None
            and signature_max_validity.total_seconds() < 0
        ):
            raise ValueError("The signature max validity must be a positive value")
        headers = list(signed_headers or [HEADER_CREATED])
        if signature_max_validity is None and HEADER_EXPIRES in headers:
            raise ValueError(
                "Signature max validity must be set when '(expires)' signature parameter is "
                "specified"
            )
        if len({h.lower() for h in headers}) != len(headers):
            raise ValueError("Cannot have duplicates in the signed_headers parameter")
        if any(h.lower() == HEADER_AUTHORIZATION.lower() for h in headers):
            raise ValueError(
                "'Authorization' header cannot be included in signed headers"
            )
        if not os.path.exists(private_key_path):
            raise ValueError("Private key file does not exist")
        self.key_id = key_id
        self.signing_scheme = signing_scheme
        self.private_key_path = os.fspath(private_key_path)
        self.private_key_passphrase = private_key_passphrase
        self.signed_headers = headers
        self.signing_algorithm = signing_algorithm
        self.hash_algorithm = hash_algorithm
        self.signature_max_validity = signature_max_validity
        self.private_key: Any = self._load_private_key()

    def _load_private_key(self) -> Any:
        _, serialization, ec, _, rsa = _crypto()
        passphrase = self.private_key_passphrase
        if isinstance(passphrase, str):
            passphrase = passphrase.encode("utf-8")
        with open(self.private_key_path, "rb") as handle:
            key = serialization.load_pem_private_key(handle.read(), passphrase)
        if isinstance(key, rsa.RSAPrivateKey):
            allowed = {ALGORITHM_RSASSA_PSS, ALGORITHM_RSASSA_PKCS1v15}
        elif isinstance(key, ec.EllipticCurvePrivateKey):
            allowed = ALGORITHM_ECDSA_KEY_SIGNING_ALGORITHMS
        else:
            raise ValueError(f"Unsupported private key: {type(key).__name__}")
        if self.signing_algorithm is not None and self.signing_algorithm not in allowed:
            raise ValueError(
                f"Signing algorithm {self.signing_algorithm} is not compatible with private key"
            )
        return key

    def get_public_key(self) -> Any:
        """The public key of the signing key (a ``cryptography`` public key object)."""
        return self.private_key.public_key()

    # -- signing ------------------------------------------------------------------------------------------

    def sign_request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None,
        now: float | None = None,
    ) -> dict[str, str]:
        """The headers to add to a request so that it carries its signature: ``Authorization`` and the
        ``Date``/``Host``/``Digest`` headers the signature covers. ``body`` is the body as sent.
        """
        parts = urlsplit(url)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        return self._signature_headers(method, parts.netloc, target, headers, body, now)

    def get_http_signature_headers(
        self,
        resource_path: str,
        method: str,
        headers: Mapping[str, str],
        body: Any,
        query_params: Sequence[tuple[str, Any]] | Mapping[str, Any] | None,
        host: str | None = None,
    ) -> dict[str, str]:
        """OpenAPI Generator's form: sign a request given by path, query parameters and body (bytes, text,
        or a model, whose ``to_json()`` is the body) for ``host`` (a URL)."""
        if isinstance(body, (bytes, bytearray)):
            data: bytes | None = bytes(body)
        elif body is None:
            data = b""
        elif isinstance(body, str):
            data = body.encode("utf-8")
        else:
            data = body.to_json().encode("utf-8")
        base = urlsplit(host or "")
        target = base.path.rstrip("/") + resource_path
        if query_params:
            target += "?" + urlencode(query_params)
        return self._signature_headers(method, base.netloc, target, headers, data)

    def _signature_headers(
        self,
        method: str,
        netloc: str,
        target: str,
        headers: Mapping[str, str],
        body: bytes | None,
        now: float | None = None,
    ) -> dict[str, str]:
        moment = time.time() if now is None else now
        created = int(moment)
        added: dict[str, str] = {}
        covered: list[tuple[str, str]] = []
        for name in self.signed_headers:
            key = name.lower()
            if key == HEADER_REQUEST_TARGET:
                value = f"{method.lower()} {target}"
            elif key == HEADER_CREATED:
                value = str(created)
            elif key == HEADER_EXPIRES:
                assert self.signature_max_validity is not None
                value = str(created + int(self.signature_max_validity.total_seconds()))
            elif key == "date":
                value = added["Date"] = formatdate(moment, usegmt=True)
            elif key == "host":
                value = added["Host"] = netloc
            elif key == "digest":
                if body is None:
                    raise ValueError(
                        "Cannot sign the Digest of a streamed request body: send it as bytes, "
                        "or leave Digest out of signed_headers"
                    )
                digest = hashlib.new(self.hash_algorithm, body).digest()
                value = added["Digest"] = _DIGEST_PREFIX[
                    self.hash_algorithm
                ] + base64.b64encode(digest).decode("ascii")
            else:
                found = next(
                    (v for k, v in headers.items() if k.lower() == key),
                    None,
                )
                if found is None:
                    raise ValueError(
                        f"Cannot sign HTTP request. Request does not contain the '{key}' header"
                    )
                value = found
            covered.append((key, value))
        text = "\n".join(f"{k}: {v}" for k, v in covered)
        signature = base64.b64encode(self._sign(text.encode("utf-8"))).decode("ascii")
        parameters = [
            f'keyId="{self.key_id}"',
            f'algorithm="{self.signing_scheme}"',
        ]
        for key, value in covered:
            if key in (HEADER_CREATED, HEADER_EXPIRES):
                parameters.append(f"{key[1:-1]}={value}")
        parameters.append(f'headers="{" ".join(k for k, _ in covered)}"')
        parameters.append(f'signature="{signature}"')
        added[HEADER_AUTHORIZATION] = "Signature " + ",".join(parameters)
        return added

    def _sign(self, message: bytes) -> bytes:
        hashes, _, ec, padding, rsa = _crypto()
        digest = (
            hashes.SHA512() if self.hash_algorithm == HASH_SHA512 else hashes.SHA256()
        )
        key = self.private_key
        if isinstance(key, rsa.RSAPrivateKey):
            algorithm = self.signing_algorithm or (
                ALGORITHM_RSASSA_PSS
                if self.signing_scheme == SCHEME_HS2019
                else ALGORITHM_RSASSA_PKCS1v15
            )
            if algorithm == ALGORITHM_RSASSA_PSS:
                pad = padding.PSS(
                    mgf=padding.MGF1(digest), salt_length=padding.PSS.DIGEST_LENGTH
                )
            else:
                pad = padding.PKCS1v15()
            return bytes(key.sign(message, pad, digest))
        deterministic = (
            self.signing_algorithm == ALGORITHM_ECDSA_MODE_DETERMINISTIC_RFC6979
        )
        scheme = (
            ec.ECDSA(digest, deterministic_signing=True)
            if deterministic
            else ec.ECDSA(digest)
        )
        return bytes(key.sign(message, scheme))  # DER-encoded (r, s)
