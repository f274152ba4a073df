"""The loader refuses a numeric column holding text, naming file, table, row and column."""

import json

import pytest

from seeds.loader import SeedError, load_document

pytestmark = pytest.mark.django_db


def _folder(tmp_path, rows, kinds):
    folder = tmp_path / "prova"
    folder.mkdir()
    data = {
        "document": {"key": "prova-tabelle", "kind": "piano_di_zona", "title": "Prova",
                     "year": 2019, "source": None},
        "ambito": {"slug": "prova-tabelle", "name": "Ambito di prova"},
        "tables": [{"key": "tab-prova", "title": "Popolazione", "columns": ["Comune", "Residenti"],
                    "kinds": kinds, "rows": rows}],
    }
    (folder / "10-plan.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


def test_text_in_a_numeric_column_is_refused_with_its_place(tmp_path):
    folder = _folder(tmp_path, [["Cremona", "72.077"], ["Pizzighettone", "6.76"]],
                     ["text", "count"])
    with pytest.raises(SeedError) as error:
        load_document(folder)
    message = str(error.value)
    assert "prova/10-plan.json" in message
    assert "tab-prova" in message and "riga 2" in message and "«Residenti»" in message
    assert "«6.76»" in message


def test_numeric_cells_are_stored_as_numbers(tmp_path):
    folder = _folder(tmp_path, [["Cremona", "72.077"], ["Pizzighettone", "6.755"]],
                     ["text", "count"])
    document, _ = load_document(folder)
    assert document.tables.get().rows == [["Cremona", "72077"], ["Pizzighettone", "6755"]]


def test_a_rule_on_a_text_column_is_refused(tmp_path):
    folder = _folder(tmp_path, [["Cremona", "1"]], ["text", "count"])
    data = json.loads((folder / "10-plan.json").read_text())
    data["tables"][0]["rules"] = [{"row": 0, "sum_rows": [0], "columns": [0]}]
    (folder / "10-plan.json").write_text(json.dumps(data))
    with pytest.raises(SeedError, match="colonna di testo"):
        load_document(folder)
