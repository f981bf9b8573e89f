"""`hmoqa`: exit codes and messages a data engineer acts on."""

from pipelines.cli import main
from pipelines.contract_doc import render_markdown


def test_run_without_a_required_source_exits_non_zero_naming_it(tmp_path, capsys):
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "eligibility.csv").write_text(
        "person_id,gender,birth_date,enrollment_start_date,enrollment_end_date,payer_type\n"
        "1,female,1970-01-01,2024-01-01,2024-12-31,commercial\n")
    code = main(["run", "--input", str(landing), "--db", str(tmp_path / "db" / "x.duckdb"),
                 "--measurement-year", "2024"])
    err = capsys.readouterr().err
    assert code == 1
    assert "hmoqa run failed" in err
    assert "medical_claim" in err and "medical_claim.csv" in err


def test_run_on_a_missing_folder_exits_non_zero(tmp_path, capsys):
    code = main(["run", "--input", str(tmp_path / "nowhere"), "--db", str(tmp_path / "x.duckdb"),
                 "--measurement-year", "2024"])
    assert code == 1
    assert "does not exist" in capsys.readouterr().err


def test_contract_prints_the_data_contract(capsys):
    assert main(["contract"]) == 0
    assert capsys.readouterr().out.strip() == render_markdown().strip()
