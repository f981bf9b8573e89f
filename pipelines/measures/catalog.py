"""The seven measures of the ecqm program: ids, CMS ids, conformance folder names, SQL models."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.duck import sql_text

# Shared building blocks, in the order they are built (each is one temp table).
COMMON_BLOCKS = (
    "common/code_match.sql",
    "common/direct_code.sql",
    "common/observation_category.sql",
    "common/lab_test_with_result.sql",
    "common/qualifying_encounter.sql",
    "common/hospice.sql",
    "common/palliative_care.sql",
    "common/advanced_illness_frailty.sql",
    "common/nursing_home.sql",
)


@dataclass(frozen=True)
class Measure:
    measure_id: str
    cms_id: str
    title: str
    library: str  # the FHIR library / conformance folder name
    inverse: bool = False

    @property
    def sql_model(self) -> str:
        return f"measures/{self.measure_id.lower()}.sql"

    def required_valueset_oids(self) -> set[str]:
        """Every value-set OID the SQL of this measure and of the shared blocks refers to."""
        texts = [sql_text(self.sql_model), *(sql_text(f"measures/{b}") for b in COMMON_BLOCKS)]
        return {oid for text in texts for oid in OID_LITERAL.findall(text)}


OID_LITERAL = re.compile(r"'(2\.16\.840\.1\.[0-9.]+[0-9])'")

MEASURES: dict[str, Measure] = {m.measure_id: m for m in (
    Measure("BCS", "CMS125", "Breast Cancer Screening", "BreastCancerScreeningFHIR"),
    Measure("COL", "CMS130", "Colorectal Cancer Screening", "ColonCancerScreeningFHIR"),
    Measure("CCS", "CMS124", "Cervical Cancer Screening", "CervicalCancerScreeningFHIR"),
    Measure("CBP", "CMS165", "Controlling High Blood Pressure", "ControllingHighBloodPressureFHIR"),
    Measure("EED", "CMS131", "Diabetes: Eye Exam", "DiabetesEyeExamFHIR"),
    Measure("GSD", "CMS122", "Diabetes: Glycemic Status Assessment > 9%",
            "DiabetesGlycemicStatusAssessmentGreaterThan9PercentFHIR", inverse=True),
    Measure("CIS", "CMS117", "Childhood Immunization Status", "ChildhoodImmunizationStatusFHIR"),
)}


def measure_for_library(name: str) -> Measure | None:
    """The measure whose library name is `name` (also accepts a MeasureReport.measure URL)."""
    tail = name.rstrip("/").rsplit("/", 1)[-1].split("|", 1)[0]
    for measure in MEASURES.values():
        if tail in (measure.library, measure.measure_id, measure.cms_id):
            return measure
    return None
