"""The seven measures, the building blocks each program runs, and the value sets the SQL refers to.

Both programs run the same measure SQL (`sql/measures/<id>.sql`) over the same shared blocks; what
differs is a short list of program-specific blocks (`PROGRAM_BLOCKS`): the ecqm program admits a
subject through a qualifying encounter, the plan program through continuous enrollment, and adds the
administrative code supplement, claims-identified conditions, enrollment exclusions and product lines
(plan-program.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.duck import sql_text

PROGRAM_ECQM = "ecqm"
PROGRAM_PLAN = "plan"
PROGRAMS = (PROGRAM_ECQM, PROGRAM_PLAN)

# Shared building blocks, in the order they are built (each is one temp table). A block whose SQL
# names `$program` gets the run's program bound.
COMMON_BLOCKS = (
    "common/code_match.sql",
    "common/direct_code.sql",
    "common/observation_category.sql",
    "common/lab_test_with_result.sql",
    "common/hospice.sql",
    "common/palliative_care.sql",
    "common/advanced_illness_frailty.sql",
    "common/nursing_home.sql",
    "common/denominator_condition.sql",
    "common/program_tables.sql",
)
# Blocks of one program only: (run right after code_match, run after the shared blocks).
PROGRAM_BLOCKS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    PROGRAM_ECQM: ((), (
        "common/qualifying_encounter.sql",
        "common/population_gate.sql",
    )),
    PROGRAM_PLAN: (("plan/eye_care_provider_rule.sql",), (
        "plan/enrollment_segment.sql",
        "plan/enrollment_coverage.sql",
        "plan/enrollment_gap.sql",
        "plan/continuous_enrollment.sql",
        "plan/population_gate.sql",
        "plan/product_line.sql",
        "plan/enrollment_exclusion.sql",
        "plan/hospice_services.sql",
        "plan/outpatient_visit_code.sql",
        "plan/claims_hypertension.sql",
        "plan/claims_diabetes.sql",
    )),
}


def program_blocks(program: str) -> tuple[str, ...]:
    """Every block a run of `program` builds, in order."""
    if program not in PROGRAM_BLOCKS:
        raise ValueError(f"unknown program {program!r}; known: {', '.join(PROGRAMS)}")
    first, last = PROGRAM_BLOCKS[program]
    return (COMMON_BLOCKS[0], *first, *COMMON_BLOCKS[1:], *last)


ALL_BLOCKS = tuple(dict.fromkeys(b for p in PROGRAMS for b in program_blocks(p)))


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
        texts = [sql_text(self.sql_model), *(sql_text(f"measures/{b}") for b in ALL_BLOCKS)]
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
