"""LICENSE is the official English text of the EUPL v1.2, the licence pyproject and
publiccode.yml declare."""

import hashlib
import pathlib
import tomllib

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
# SHA-256 of the official English text as published by the European Commission (joinup
# "EUPL v1.2 EN" .txt, line endings normalised to LF): any edit of the text changes it.
EUPL_12_SHA256 = "6fc9e709ccbfe0d77fbffa2427a983282be2eb88e47b1cdb49f21a83b4d1e665"


def licence_text():
    return (ROOT / "LICENSE").read_text(encoding="utf-8")


def test_licence_is_the_eupl_12_verbatim():
    text = licence_text()
    lines = text.splitlines()
    assert lines[0].strip() == "EUROPEAN UNION PUBLIC LICENCE v. 1.2"
    assert lines[1].strip() == "EUPL © the European Union 2007, 2016"
    for heading in ("1. Definitions", "5. Obligations of the Licensee", "15. Applicable Law",
                    "Appendix"):
        assert heading in lines
    normalised = text.replace("\r\n", "\n").encode("utf-8")
    assert hashlib.sha256(normalised).hexdigest() == EUPL_12_SHA256


def test_licence_matches_pyproject_and_publiccode():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    publiccode = yaml.safe_load((ROOT / "publiccode.yml").read_text(encoding="utf-8"))
    assert project["license"]["text"] == publiccode["legal"]["license"] == "EUPL-1.2"
    assert "v. 1.2" in licence_text().splitlines()[0]
