"""publiccode.yml is valid for the Developers Italia catalogue (publiccode.yml 0.4, it 0.2).

The JSON Schema next to this file encodes the standard's keys, types, enumerations and
length limits; the checks below add what a schema cannot say.
"""

import copy
import datetime
import json
import pathlib
import subprocess
import tomllib
import urllib.parse

import jsonschema
import pytest
import yaml
from django.conf import settings
from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMA = json.loads((pathlib.Path(__file__).with_name("publiccode.schema.json")).read_text())
CODE_HOSTS = {"github.com", "gitlab.com", "bitbucket.org"}


def load_publiccode():
    return yaml.safe_load((ROOT / "publiccode.yml").read_text(encoding="utf-8"))


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def errors(document):
    validator = jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    return sorted(
        f"{'/'.join(map(str, e.absolute_path)) or '(radice)'}: {e.message}"
        for e in validator.iter_errors(document)
    )


def test_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_publiccode_is_valid_against_the_standard():
    assert errors(load_publiccode()) == []


@pytest.mark.parametrize(
    "path, value, expected",
    [
        (["publiccodeYmlVersion"], "0.1", "publiccodeYmlVersion"),
        (["developmentStatus"], "alpha", "developmentStatus"),
        (["softwareType"], "standalone", "softwareType"),
        (["categories"], ["social-services"], "categories/0"),
        (["description", "it", "shortDescription"], "x" * 151, "shortDescription"),
        (["description", "it", "longDescription"], "troppo breve", "longDescription"),
        (["maintenance", "type"], "contract", "maintenance"),
        (["localisation", "availableLanguages"], [], "availableLanguages"),
        (["it", "countryExtensionVersion"], "1.0", "countryExtensionVersion"),
        (["releaseDate"], "23/11/2026", "releaseDate"),
        (["chiaveInventata"], True, "chiaveInventata"),
    ],
)
def test_schema_refuses_what_the_standard_refuses(path, value, expected):
    document = copy.deepcopy(load_publiccode())
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    found = errors(document)
    assert any(expected in error for error in found), found


def test_schema_refuses_a_missing_mandatory_key():
    for key in SCHEMA["required"]:
        document = copy.deepcopy(load_publiccode())
        del document[key]
        assert any(key in error for error in errors(document)), key


def test_release_date_is_a_real_date_not_in_the_future():
    released = datetime.date.fromisoformat(load_publiccode()["releaseDate"])
    assert released <= datetime.date.today()


def test_version_matches_pyproject():
    assert load_publiccode()["softwareVersion"] == pyproject()["version"]


def test_url_points_to_this_repository():
    url = load_publiccode()["url"]
    parsed = urllib.parse.urlparse(url)
    assert parsed.scheme == "https" and parsed.hostname in CODE_HOSTS, url
    assert parsed.path.removesuffix(".git").rstrip("/").rsplit("/", 1)[-1] == pyproject()["name"]
    remote = subprocess.run(
        ["git", "-C", str(ROOT), "remote", "get-url", "origin"],
        capture_output=True, text=True, check=False,
    )
    published = urllib.parse.urlparse(remote.stdout.strip())
    # Once the repository is published on a code host, the two must agree; a clone of a
    # local path (as CI makes) says nothing about where the code is published.
    if remote.returncode == 0 and published.hostname in CODE_HOSTS:
        assert remote.stdout.strip().removesuffix(".git") == url.removesuffix(".git")


def test_license_is_spdx_and_the_same_everywhere():
    license_id = load_publiccode()["legal"]["license"]
    try:
        canonical = canonicalize_license_expression(license_id)
    except InvalidLicenseExpression as exc:
        pytest.fail(f"legal.license non è un identificativo SPDX: {exc}")
    assert canonical == license_id == pyproject()["license"]["text"] == "EUPL-1.2"


def test_languages_are_the_languages_of_the_app():
    document = load_publiccode()
    app_languages = {code for code, _ in settings.LANGUAGES}
    assert set(document["localisation"]["availableLanguages"]) <= app_languages
    assert set(document["description"]) <= app_languages
    assert settings.LANGUAGE_CODE in document["description"]


def test_dependencies_match_the_deployment():
    names = {dep["name"] for dep in load_publiccode()["dependsOn"]["open"]}
    compose = (ROOT / "docker-compose.yml").read_text()
    assert {"PostgreSQL", "Redis"} <= names
    assert "image: postgres:" in compose and "image: redis:" in compose
