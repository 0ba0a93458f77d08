"""CSV exports are safe to open in a spreadsheet."""

from config.exports import csv_response


def _body(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_cells_that_look_like_formulas_are_neutralised():
    response = csv_response(
        filename="x.csv",
        header=["name", "n"],
        rows=[['=HYPERLINK("http://evil")', 1], ["@SUM(A1)", -5], ["Acme", None]],
    )
    lines = _body(response).splitlines()

    assert lines[0] == "name,n"
    assert lines[1].startswith("\"'=HYPERLINK")
    assert lines[2] == "'@SUM(A1),-5"  # numbers stay numbers
    assert lines[3] == "Acme,"
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'


def test_the_account_export_neutralises_a_formula_in_an_account_name(client_for, programme_admin):
    from tests.accounts.factories import AccountFactory

    AccountFactory(name="=cmd|' /C calc'!A0", slug="evil")
    body = _body(client_for(programme_admin).get("/accounts/?export=csv"))

    assert "'=cmd" in body
    assert "\n=cmd" not in body
