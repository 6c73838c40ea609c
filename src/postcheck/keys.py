"""The school's signing key for receipts (Ed25519, from the ``cryptography`` package).

The private key lives in ``platformdirs.user_config_dir("postcheck")`` as
``signing-key.pem`` (PKCS#8 PEM), mode 0600; postcheck refuses to use it when
other users can read it, as ssh does. ``postcheck key export`` writes the public
key (SubjectPublicKeyInfo PEM) for the machine that verifies receipts. A key's
id is ``ed25519:`` and the first 16 hex digits of the SHA-256 of its 32 raw
public bytes; a receipt names the id of the key that signed it.

``cryptography`` is imported inside the functions, so ``postcheck --help`` stays fast.
"""

from __future__ import annotations

import base64
import hashlib
import stat
from pathlib import Path
from typing import Any

from postcheck.errors import ConfigError
from postcheck.private import create_private

KEY_NAME = "signing-key.pem"
HINT_INIT = "create one with `postcheck key init` (or `postcheck init`)"


def key_path() -> Path:
    """Where this user's signing key is kept."""
    import platformdirs

    return Path(platformdirs.user_config_dir("postcheck")) / KEY_NAME


def create_key(force: bool = False) -> tuple[Path, bool]:
    """Create the signing key if there is none (or replace it with ``force``).

    Returns the path and whether a new key was written."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = key_path()
    if path.exists() and not force:
        return path, False
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    try:
        create_private(path, pem, replace=force)
    except FileExistsError:
        return path, False
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write the signing key: {exc.strerror}") from exc
    return path, True


def load_private_key() -> Any:
    """This user's signing key (an ``Ed25519PrivateKey``); ConfigError (78) when
    it is missing, readable by others, or not an Ed25519 key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = key_path()
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no signing key for receipts", HINT_INIT) from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the signing key: {exc.strerror}") from exc
    if stat.S_IMODE(mode) & 0o077:
        raise ConfigError(
            f"{path}: the signing key can be read by other users (mode {stat.S_IMODE(mode):o})",
            f"make it private with: chmod 600 {path}",
        )
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{path}: not a signing key postcheck can read") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"{path}: not an Ed25519 key")
    return key


def public_pem(private_key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def key_id(public_key: Any) -> str:
    """``ed25519:`` + 16 hex digits identifying a public key."""
    from cryptography.hazmat.primitives import serialization

    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "ed25519:" + hashlib.sha256(raw).hexdigest()[:16]


def load_public_key(path: Path) -> Any:
    """A public key exported by ``postcheck key export`` (ConfigError if it is not one)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: public key file not found") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the public key: {exc.strerror}") from exc
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{path}: not a public key (export one with `postcheck key export`)") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise ConfigError(f"{path}: not an Ed25519 public key")
    return key


def trusted_keys(files: list[Path]) -> dict[str, Any]:
    """The public keys receipts may be signed with, by key id: the ``--public-key``
    files, or else the public half of this user's own signing key."""
    if files:
        keys = [load_public_key(p) for p in files]
    else:
        if not key_path().exists():
            raise ConfigError(
                "no public key to verify receipts with",
                "give --public-key FILE (written by `postcheck key export` on the machine that "
                "checks posts), or run where the signing key is",
            )
        keys = [load_private_key().public_key()]
    return {key_id(k): k for k in keys}


def sign(private_key: Any, message: bytes) -> str:
    """The Ed25519 signature of ``message``, base64."""
    return base64.b64encode(private_key.sign(message)).decode("ascii")


def signature_valid(public_key: Any, signature: str, message: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature

    try:
        raw = base64.b64decode(signature.encode("ascii"), validate=True)
        public_key.verify(raw, message)
    except (InvalidSignature, ValueError, UnicodeEncodeError):
        return False
    return True
