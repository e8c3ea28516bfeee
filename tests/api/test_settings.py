"""ConnectionSettings: address forms, fingerprints, token forms, credentials and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from proxstate.api.settings import ConnectionSettings
from proxstate.errors import ConfigError

TOKEN = "root@pam!ci=0b5f3c1e-2f6d-4c8e-9a7b-123456789abc"


@pytest.mark.parametrize(
    ("given", "url"),
    [
        ("pve.example.com", "https://pve.example.com:8006/api2/json"),
        ("PVE.example.com:8443", "https://pve.example.com:8443/api2/json"),
        ("https://pve", "https://pve:8006/api2/json"),
        ("https://pve:8006/api2/json/", "https://pve:8006/api2/json"),
        ("https://10.0.0.5:8006/", "https://10.0.0.5:8006/api2/json"),
        ("[::1]:8006", "https://[::1]:8006/api2/json"),
        ("::1", "https://[::1]:8006/api2/json"),
        ("https://[fe80::1]", "https://[fe80::1]:8006/api2/json"),
        (" https://proxy.example.com:443/pve ", "https://proxy.example.com:443/pve/api2/json"),
    ],
)
def test_addresses_are_normalized(given: str, url: str) -> None:
    settings = ConnectionSettings(url=given, token=TOKEN)
    assert settings.url == url


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ("", "url: the PVE address is empty"),
        ("http://pve:8006", "url: the PVE API is served over HTTPS only, not http://"),
        ("https://root:hunter2@pve", "url: the PVE address must not contain a user name or password"),
        ("pve:99999", "url: the port in the PVE address 'pve:99999' is not valid"),
        ("pve:port", "url: the port in the PVE address 'pve:port' is not valid"),
        ("https://pve/api2/extjs", "url: the API path must end with /api2/json, not '/api2/extjs'"),
        ("https://pve?x=1", "url: the PVE address 'https://pve?x=1' must not have a query or fragment"),
        ("pve host", "url: the PVE address 'pve host' has no valid host name"),
    ],
)
def test_bad_addresses(given: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        ConnectionSettings(url=given, token=TOKEN)
    assert str(caught.value) == f"invalid connection settings: {problem}"
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    "given",
    [
        "ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89",
        "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
        "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89",
    ],
)
def test_fingerprints_are_canonical(given: str) -> None:
    settings = ConnectionSettings(url="pve", token=TOKEN, fingerprint=given)
    assert settings.fingerprint == ":".join(["AB", "CD", "EF", "01", "23", "45", "67", "89"] * 4)


@pytest.mark.parametrize("given", ["AB:CD", "zz" * 32, "ab" * 31, "AB-CD" + ":AB" * 30])
def test_bad_fingerprints(given: str) -> None:
    with pytest.raises(ConfigError, match="fingerprint: the fingerprint must be a SHA-256 digest"):
        ConnectionSettings(url="pve", token=TOKEN, fingerprint=given)


def test_token_forms() -> None:
    whole = ConnectionSettings(url="pve", token=TOKEN)
    as_secret = ConnectionSettings(url="pve", token=SecretStr(TOKEN + "\n"))
    parts = ConnectionSettings.from_token_parts(
        "pve", token_id="root@pam!ci", token_secret=SecretStr("0b5f3c1e-2f6d-4c8e-9a7b-123456789abc")
    )
    assert whole == as_secret == parts
    assert whole.token is not None and whole.token.get_secret_value() == TOKEN
    assert (whole.token_id, whole.auth_user) == ("root@pam!ci", "root@pam!ci")
    assert "0b5f3c1e" not in repr(whole) and "0b5f3c1e" not in str(whole)


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        (
            {"token": "root@pam=abc"},
            "token: the API token must look like USER@REALM!TOKENID=SECRET (the !TOKENID part",
        ),
        (
            {"token": "root@pam!ci"},
            "token: the API token must look like USER@REALM!TOKENID=SECRET (the =SECRET part",
        ),
        ({"token": "root!ci=abc"}, "token: the API token must look like USER@REALM!TOKENID=SECRET"),
        ({"token_id": "root@pam!ci"}, "token_id and token_secret go together"),
        ({"token_id": "root@pam", "token_secret": "abc"}, "the token id 'root@pam' must look like"),
        ({"token": TOKEN, "user": "root@pam", "password": "pw"}, "give either an API token, or a user and"),
        ({}, "no credentials: give an API token, or a user and password"),
        ({"user": "root@pam"}, "no password for user root@pam"),
        ({"user": "root", "password": "pw"}, "user: the user 'root' must look like USER@REALM"),
        ({"password": "pw"}, "a password was given without a user"),
        ({"token": TOKEN, "concurrency": 0}, "concurrency: Input should be greater than or equal to 1"),
        ({"token": TOKEN, "read_timeout": 0}, "read_timeout: Input should be greater than 0"),
        ({"token": TOKEN, "colour": "blue"}, "colour: Extra inputs are not permitted"),
    ],
)
def test_bad_credentials_and_values(values: dict[str, object], problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        ConnectionSettings(url="pve", **values)
    assert str(caught.value).startswith("invalid connection settings: ")
    assert problem in str(caught.value)
    assert "abc" not in str(caught.value) and "pw" not in str(caught.value).replace("password", "")


def test_ca_file_must_exist(tmp_path: Path) -> None:
    missing = tmp_path / "ca.pem"
    with pytest.raises(ConfigError, match=r"the CA certificate file .*ca\.pem' does not exist"):
        ConnectionSettings(url="pve", token=TOKEN, ca_cert=missing)
    missing.write_text("not a certificate\n")
    assert ConnectionSettings(url="pve", token=TOKEN, ca_cert=missing).ca_cert == missing


def test_unusable_ca_file_is_a_config_error(tmp_path: Path) -> None:
    from proxstate.api.client import PveClient

    bogus = tmp_path / "ca.pem"
    bogus.write_text("not a certificate\n")
    with pytest.raises(ConfigError, match="cannot use the CA certificate file"):
        PveClient(ConnectionSettings(url="pve", token=TOKEN, ca_cert=bogus))


def test_password_login_settings_hide_the_password() -> None:
    settings = ConnectionSettings(url="pve", user="root@pam", password="Zebra-42")
    assert settings.auth_user == "root@pam" and settings.token_id is None
    assert "Zebra-42" not in repr(settings) and "Zebra-42" not in str(settings.model_dump())
    with pytest.raises(ValidationError, match="frozen"):
        settings.concurrency = 8  # type: ignore[misc]  # what the test checks: the model is frozen
    with pytest.raises(ConfigError, match="concurrency: Input should be a valid integer"):
        ConnectionSettings(**{**settings.model_dump(), "concurrency": "many"})
