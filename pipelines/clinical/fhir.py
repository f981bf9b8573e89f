"""Load FHIR R4 resources into the clinical model.

Input: a folder (any nesting) of resource JSON files, Bundles, and NDJSON bulk-export files. Each
resource becomes one row of its clinical table plus its codings in `clinical.coding`. Bad input never
stops the batch: it is recorded in `clinical.load_issue` with file and resource id and skipped (or,
for a partial date or a coding without system, kept with the unusable part left out).

Patient key: in *case mode* (`patient_key` given, e.g. a conformance case folder) every resource
belongs to that key whatever its subject reference says. Otherwise the key is the Patient's id, or
the id in the resource's subject / patient / beneficiary reference.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from pipelines.clinical.model import create_clinical_tables, delete_source_kind, insert_rows, next_row_id
from pipelines.clinical.timing import (
    BEGINNING_OF_TIME,
    END_OF_TIME,
    ONE_MS,
    TimingError,
    add_years,
    end_of_day,
    parse_date,
    parse_datetime,
    start_of_day,
)
from pipelines.terminology.codes import normalize_code

SOURCE_KIND = "fhir"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
ACTIVE_CLINICAL_STATUSES = {"active", "recurrence", "relapse"}
QICORE_DO_NOT_PERFORM = "http://hl7.org/fhir/us/qicore/StructureDefinition/qicore-doNotPerform"
US_CORE_RACE = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race"
US_CORE_ETHNICITY = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity"

# Resource types that carry no patient data the measures read; skipped without a report.
IGNORED_TYPES = frozenset({
    "MeasureReport", "Measure", "Library", "ValueSet", "CodeSystem", "Medication", "Practitioner",
    "PractitionerRole", "Organization", "Location", "Group", "Provenance", "RelatedPerson",
    "Device", "Endpoint", "HealthcareService", "Parameters", "OperationOutcome",
})

TABLE_OF_TYPE = {
    "Patient": "patient", "Coverage": "coverage", "Encounter": "encounter", "Condition": "condition",
    "Procedure": "procedure", "Observation": "observation", "MedicationRequest": "medication_request",
    "MedicationDispense": "medication_dispense", "Immunization": "immunization",
    "DeviceRequest": "device_request", "ServiceRequest": "service_request",
    "AllergyIntolerance": "allergy_intolerance",
}

# The element matched against value sets for each type (measures.md 1.3), stored as element 'code'.
PRIMARY_CODE = {
    "Coverage": "type", "Encounter": "type", "Condition": "code", "Procedure": "code",
    "Observation": "code", "MedicationRequest": "medicationCodeableConcept",
    "MedicationDispense": "medicationCodeableConcept", "Immunization": "vaccineCode",
    "DeviceRequest": "codeCodeableConcept", "ServiceRequest": "code", "AllergyIntolerance": "code",
}


@dataclass
class LoadIssue:
    source_file: str
    resource_type: str | None
    resource_id: str | None
    severity: str
    message: str

    def row(self) -> dict:
        return {"source_kind": SOURCE_KIND, "source_file": self.source_file,
                "resource_type": self.resource_type, "resource_id": self.resource_id,
                "severity": self.severity, "message": self.message}


@dataclass
class ClinicalBatch:
    """Rows for every clinical table, accumulated in memory and inserted at once."""

    first_row_id: int = 1
    rows: dict[str, list[dict]] = field(default_factory=lambda: {t: [] for t in
                                                                 (*TABLE_OF_TYPE.values(), "observation_component", "coding")})
    issues: list[LoadIssue] = field(default_factory=list)
    _next_id: int = 0
    # Conditions whose onset/abatement is an Age: resolved once the patient's birth date is known.
    age_pending: list[tuple[dict, dict]] = field(default_factory=list)

    def new_row_id(self) -> int:
        row_id = self.first_row_id + self._next_id
        self._next_id += 1
        return row_id

    def issue(self, file: str, resource: dict | None, severity: str, message: str) -> None:
        resource = resource or {}
        self.issues.append(LoadIssue(file, resource.get("resourceType"), resource.get("id"), severity, message))

    @property
    def record_count(self) -> int:
        return sum(len(v) for k, v in self.rows.items() if k not in ("coding", "observation_component"))


# --------------------------------------------------------------------------------------------
# Reading files


def iter_resources(path: Path, batch: ClinicalBatch, label: str) -> Iterator[dict]:
    """Resources in one file: a resource, a Bundle (nested Bundles too), or NDJSON lines."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        batch.issue(label, None, "error", f"cannot read file: {exc}")
        return
    if path.suffix.lower() == ".ndjson":
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                yield from _flatten(json.loads(line))
            except json.JSONDecodeError as exc:
                batch.issue(f"{label}:{number}", None, "error", f"not JSON: {exc.msg}")
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        batch.issue(label, None, "error", f"not JSON: {exc.msg}")
        return
    yield from _flatten(data)


def _flatten(data) -> Iterator[dict]:
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item)
    elif isinstance(data, dict):
        if data.get("resourceType") == "Bundle":
            for entry in data.get("entry") or []:
                if isinstance(entry, dict) and "resource" in entry:
                    yield from _flatten(entry["resource"])
        else:
            yield data


def fhir_files(root: Path) -> list[Path]:
    root = Path(root)
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in (".json", ".ndjson"))


# --------------------------------------------------------------------------------------------
# Element helpers


def _reference_id(reference: dict | None) -> str | None:
    if not isinstance(reference, dict) or not reference.get("reference"):
        return None
    return str(reference["reference"]).rstrip("/").rsplit("/", 1)[-1].removeprefix("urn:uuid:") or None


def _codings(concept) -> list[dict]:
    if isinstance(concept, list):
        return [c for item in concept for c in _codings(item)]
    if not isinstance(concept, dict):
        return []
    if "coding" in concept:
        return [c for c in concept.get("coding") or [] if isinstance(c, dict)]
    if "code" in concept and "system" in concept:  # a bare Coding (e.g. Encounter.class)
        return [concept]
    return []


def _status_code(concept, system: str | None = None) -> str | None:
    for coding in _codings(concept):
        if system is None or coding.get("system") == system:
            return coding.get("code")
    return None


class _Timing:
    """Parses timing elements of one resource, reporting problems against it."""

    def __init__(self, batch: ClinicalBatch, file: str, resource: dict):
        self.batch, self.file, self.resource = batch, file, resource

    def point(self, text) -> tuple[datetime, datetime] | None:
        if text is None:
            return None
        try:
            lo, hi, precision, had_zone = parse_datetime(text)
        except TimingError as exc:
            self.batch.issue(self.file, self.resource, "warning", f"{exc}; timing ignored")
            return None
        if precision in ("year", "month"):
            self.batch.issue(self.file, self.resource, "info",
                             f"partial date {text!r} kept as the interval it covers")
        if not had_zone:
            self.batch.issue(self.file, self.resource, "info",
                             f"dateTime {text!r} has no time zone; read as UTC")
        return lo, hi

    def interval(self, resource: dict, prefix: str) -> dict:
        """start/end bounds of `<prefix>DateTime` | `<prefix>Period` | `<prefix>Instant` | plain `<prefix>`."""
        for key in (f"{prefix}DateTime", f"{prefix}Instant", prefix):
            value = resource.get(key)
            if isinstance(value, str):
                p = self.point(value)
                return _bounds(p, p)
        period = resource.get(f"{prefix}Period", resource.get(prefix))
        if isinstance(period, dict):
            start = self.point(period.get("start"))
            end = self.point(period.get("end")) if period.get("end") else (END_OF_TIME, END_OF_TIME)
            return _bounds(start, end)
        return _bounds(None, None)


def _bounds(start, end) -> dict:
    return {"start_lo": start[0] if start else None, "start_hi": start[1] if start else None,
            "end_lo": end[0] if end else None, "end_hi": end[1] if end else None}


# --------------------------------------------------------------------------------------------
# Resource mapping


def add_resource(batch: ClinicalBatch, resource: dict, file: str, patient_key: str | None) -> None:
    resource_type = resource.get("resourceType")
    if not isinstance(resource_type, str):
        batch.issue(file, resource, "error", "no resourceType; skipped")
        return
    if resource_type in IGNORED_TYPES:
        return
    table = TABLE_OF_TYPE.get(resource_type)
    if table is None:
        batch.issue(file, resource, "warning", f"resource type {resource_type} is not used; skipped")
        return
    key = patient_key or _patient_key(resource)
    if not key:
        batch.issue(file, resource, "error", "no subject / patient reference; skipped")
        return
    row_id = batch.new_row_id()
    row = {"row_id": row_id, "patient_key": key, "source_kind": SOURCE_KIND, "source_file": file,
           "source_row": resource.get("id"), "resource_id": resource.get("id")}
    timing = _Timing(batch, file, resource)
    MAPPERS[resource_type](batch, resource, row, timing)
    if row.pop("_skip", False):
        return
    batch.rows[table].append(row)
    primary = PRIMARY_CODE.get(resource_type)
    if primary:
        _add_codings(batch, row, resource_type, "code", resource.get(primary), file, resource)
    for element, value in row.pop("_codings", []):
        _add_codings(batch, row, resource_type, element, value, file, resource)


def _patient_key(resource: dict) -> str | None:
    if resource.get("resourceType") == "Patient":
        return resource.get("id")
    for element in ("subject", "patient", "beneficiary"):
        ref = _reference_id(resource.get(element))
        if ref:
            return ref
    return None


def _add_codings(batch, row, resource_type, element, concept, file, resource) -> None:
    for coding in _codings(concept):
        code = coding.get("code")
        if code is None:
            continue
        system = coding.get("system")
        if not system:
            batch.issue(file, resource, "warning",
                        f"{element} code {code!r} has no system; it cannot match any value set")
        batch.rows["coding"].append({
            "row_id": row["row_id"], "patient_key": row["patient_key"], "resource_type": resource_type,
            "element": element, "code_system": system, "code": code,
            "code_normalized": normalize_code(system, code)})


def _map_patient(batch, r, row, timing) -> None:
    row["gender"] = r.get("gender")
    birth = r.get("birthDate")
    if birth:
        try:
            birth_date, precision = parse_date(birth)
        except TimingError:
            birth_date, precision = None, "invalid"
        row["birth_date"], row["birth_date_precision"] = birth_date, precision
        if birth_date is None:
            batch.issue(timing.file, r, "warning",
                        f"birthDate {birth!r} is not a full date; age is unknown, so the patient is in no population")
    for ext in r.get("extension") or []:
        column = {US_CORE_RACE: "race_code", US_CORE_ETHNICITY: "ethnicity_code"}.get(ext.get("url"))
        if column:
            for sub in ext.get("extension") or []:
                if sub.get("url") == "ombCategory" and isinstance(sub.get("valueCoding"), dict):
                    row[column] = sub["valueCoding"].get("code")
                    break


def _map_coverage(batch, r, row, timing) -> None:
    row["status"] = r.get("status")
    row["payor"] = _reference_id((r.get("payor") or [None])[0])
    row.update(timing.interval(r, "period"))


def _map_encounter(batch, r, row, timing) -> None:
    row["status"] = r.get("status")
    encounter_class = r.get("class") if isinstance(r.get("class"), dict) else {}
    row["class_code"], row["class_system"] = encounter_class.get("code"), encounter_class.get("system")
    row.update(timing.interval(r, "period"))
    disposition = (r.get("hospitalization") or {}).get("dischargeDisposition")
    row["_codings"] = [("discharge_disposition", disposition)]


def _map_condition(batch, r, row, timing) -> None:
    row["clinical_status"] = _status_code(r.get("clinicalStatus"))
    row["verification_status"] = _status_code(r.get("verificationStatus"))
    onset = timing.interval(r, "onset")
    abatement = timing.interval(r, "abatement")
    # An abatementPeriod's end is exclusive of the abatement: the condition ended just before it.
    if isinstance(r.get("abatementPeriod"), dict) and r["abatementPeriod"].get("end"):
        abatement["end_lo"] -= ONE_MS
        abatement["end_hi"] -= ONE_MS
    elif isinstance(r.get("abatementPeriod"), dict):
        abatement["end_lo"] = abatement["end_hi"] = None
    row["onset_lo"], row["onset_hi"] = onset["start_lo"], onset["start_hi"]
    row["abatement_lo"], row["abatement_hi"] = abatement["end_lo"], abatement["end_hi"]
    if "onsetAge" in r or "onsetRange" in r or "abatementAge" in r or "abatementRange" in r:
        batch.age_pending.append((row, r))
    set_condition_prevalence(row)
    row["_codings"] = [("category", r.get("category")), ("body_site", r.get("bodySite"))]


def set_condition_prevalence(row: dict) -> None:
    """measures.md 1.6: [onset or beginning of time, abatement or (active ? end of time : unknown)]."""
    row["start_lo"] = row["onset_lo"] or BEGINNING_OF_TIME
    row["start_hi"] = row["onset_hi"] or BEGINNING_OF_TIME
    if row["abatement_lo"] is not None:
        row["end_lo"], row["end_hi"] = row["abatement_lo"], row["abatement_hi"]
    elif row.get("clinical_status") in ACTIVE_CLINICAL_STATUSES:
        row["end_lo"] = row["end_hi"] = END_OF_TIME
    else:
        row["end_lo"] = row["end_hi"] = None


def _age_years(quantity) -> int | None:
    if not isinstance(quantity, dict) or quantity.get("value") is None:
        return None
    unit = quantity.get("code") or quantity.get("unit")
    if unit not in ("a", "yr", "year", "years"):
        return None
    return int(quantity["value"])


def _resolve_age_timings(batch: ClinicalBatch) -> None:
    births = {p["patient_key"]: p.get("birth_date") for p in batch.rows["patient"]}
    for row, r in batch.age_pending:
        birth = births.get(row["patient_key"])
        if birth is None:
            batch.issue(row["source_file"], r, "warning", "age-based onset/abatement without a birth date")
            continue
        onset_age = _age_years(r.get("onsetAge")) if "onsetAge" in r else \
            _age_years((r.get("onsetRange") or {}).get("low"))
        if onset_age is not None:
            row["onset_lo"] = row["onset_hi"] = start_of_day(add_years(birth, onset_age))
        end_age = _age_years(r.get("abatementAge")) if "abatementAge" in r else \
            _age_years((r.get("abatementRange") or {}).get("high"))
        if end_age is not None:
            row["abatement_lo"] = row["abatement_hi"] = start_of_day(add_years(birth, end_age + 1)) - ONE_MS
        set_condition_prevalence(row)


def _map_procedure(batch, r, row, timing) -> None:
    row["status"] = r.get("status")
    row.update(timing.interval(r, "performed"))
    row["_codings"] = [("body_site", r.get("bodySite"))]


VALUE_KEYS = ("valueQuantity", "valueCodeableConcept", "valueString", "valueBoolean", "valueInteger",
              "valueRange", "valueRatio", "valueSampledData", "valueTime", "valueDateTime", "valuePeriod")


def _value_columns(element: dict) -> dict:
    """value[x] of an Observation or component: type, number, unit, comparator."""
    for key in VALUE_KEYS:
        if key not in element or element[key] in (None, "", {}, []):
            continue
        value = element[key]
        columns = {"value_type": key[len("value"):]}
        if key == "valueQuantity":
            number = value.get("value") if isinstance(value, dict) else None
            columns.update(value_quantity=float(number) if isinstance(number, (int, float)) else None,
                           value_unit=value.get("code") or value.get("unit"),
                           value_unit_system=value.get("system"), value_comparator=value.get("comparator"))
        elif key == "valueInteger":
            columns["value_quantity"] = float(value) if isinstance(value, (int, float)) else None
        elif key in ("valueString", "valueTime", "valueDateTime", "valueBoolean"):
            columns["value_text"] = str(value)
        return columns
    return {"value_type": None}


def _map_observation(batch, r, row, timing) -> None:
    row["status"] = r.get("status")
    row.update(timing.interval(r, "effective"))
    row.update(_value_columns(r))
    row["encounter_id"] = _reference_id(r.get("encounter"))
    last_updated = timing.point((r.get("meta") or {}).get("lastUpdated"))
    row["last_updated"] = last_updated[0] if last_updated else None
    row["_codings"] = [("category", r.get("category")), ("value", r.get("valueCodeableConcept"))]
    for index, component in enumerate(r.get("component") or []):
        if not isinstance(component, dict):
            continue
        values = _value_columns(component)
        values.pop("value_text", None)
        for coding in _codings(component.get("code")):
            batch.rows["observation_component"].append({
                "row_id": row["row_id"], "patient_key": row["patient_key"], "component_index": index,
                "code_system": coding.get("system"), "code": coding.get("code"),
                "code_normalized": normalize_code(coding.get("system"), coding.get("code")), **values})


def _map_medication_request(batch, r, row, timing) -> None:
    row["status"], row["intent"] = r.get("status"), r.get("intent")
    row["do_not_perform"] = r.get("doNotPerform")
    authored = timing.point(r.get("authoredOn"))
    row["authored_on"] = authored[0] if authored else None
    if "medicationReference" in r and "medicationCodeableConcept" not in r:
        batch.issue(timing.file, r, "info",
                    "medicationReference is not followed (measures.md 1.3); the request matches no value set")
    period = medication_request_period(r, batch, timing)
    row["days_supplied"] = period[2] if period else None
    row.update(_bounds((start_of_day(period[0]),) * 2, (end_of_day(period[1]),) * 2) if period
               else _bounds(None, None))


SUPPLY_DAYS_PER_UNIT = {"d": 1, "day": 1, "days": 1, "wk": 7, "week": 7, "weeks": 7, "mo": 30,
                        "month": 30, "months": 30, "a": 365, "year": 365, "years": 365}
PERIOD_UNIT_DAYS = {"s": 1 / 86400, "min": 1 / 1440, "h": 1 / 24, "d": 1, "wk": 7, "mo": 30, "a": 365}


def _date_of(timing: _Timing, text) -> date | None:
    point = timing.point(text) if text else None
    return point[0].date() if point else None


def medication_request_period(r: dict, batch: ClinicalBatch, timing: _Timing) -> tuple[date, date, float] | None:
    """CumulativeMedicationDuration's request period (measures.md 2.6): (start, end, days supplied)."""
    dosages = r.get("dosageInstruction") or []
    if len(dosages) > 1:
        batch.issue(timing.file, r, "warning", "more than one dosageInstruction; the first is used")
    dosage = dosages[0] if dosages else {}
    repeat = ((dosage.get("timing") or {}).get("repeat")) or {}
    bounds = repeat.get("boundsPeriod") or {}
    dispense = r.get("dispenseRequest") or {}
    start = (_date_of(timing, bounds.get("start")) or _date_of(timing, r.get("authoredOn"))
             or _date_of(timing, (dispense.get("validityPeriod") or {}).get("start")))
    days = None
    supply = dispense.get("expectedSupplyDuration")
    if isinstance(supply, dict) and supply.get("value") is not None:
        per_unit = SUPPLY_DAYS_PER_UNIT.get(supply.get("code") or supply.get("unit"))
        if per_unit is not None:
            days = float(supply["value"]) * per_unit
    if days is None:
        quantity = (dispense.get("quantity") or {}).get("value")
        dose_and_rate = (dosage.get("doseAndRate") or [{}])
        if len(dose_and_rate) > 1:
            batch.issue(timing.file, r, "warning", "more than one doseAndRate; the first is used")
        dose_entry = dose_and_rate[0] or {}
        dose = ((dose_entry.get("doseRange") or {}).get("high") or {}).get("value") \
            or (dose_entry.get("doseQuantity") or {}).get("value")
        frequency = repeat.get("frequencyMax") or repeat.get("frequency")
        period, unit = repeat.get("period"), repeat.get("periodUnit")
        if frequency and period and unit in PERIOD_UNIT_DAYS:
            per_day = frequency / (period * PERIOD_UNIT_DAYS[unit])
        else:
            per_day = len(repeat.get("timeOfDay") or [])
        if quantity and dose and per_day:
            days = float(quantity) / (float(dose) * per_day)
    if days is not None:
        days *= 1 + int(dispense.get("numberOfRepeatsAllowed") or 0)
    if start and days is not None and days >= 1:
        return start, start + timedelta(days=days - 1), days
    bounds_end = _date_of(timing, bounds.get("end"))
    if start and bounds_end:
        return start, bounds_end, float((bounds_end - start).days + 1)
    return None


def _map_medication_dispense(batch, r, row, timing) -> None:
    row["status"] = r.get("status")
    handed = _date_of(timing, r.get("whenHandedOver"))
    days = (r.get("daysSupply") or {}).get("value")
    row["days_supply"] = float(days) if days is not None else None
    row["quantity"] = (r.get("quantity") or {}).get("value")
    if handed:
        end = handed + timedelta(days=max(int(days or 1), 1) - 1)
        row.update(_bounds((start_of_day(handed),) * 2, (end_of_day(end),) * 2))


def _map_immunization(batch, r, row, timing) -> None:
    row["status"] = r.get("status")
    row.update(timing.interval(r, "occurrence"))  # occurrenceString has no date and cannot count


def _do_not_perform_extension(r: dict) -> bool | None:
    for ext in r.get("modifierExtension") or []:
        if ext.get("url") == QICORE_DO_NOT_PERFORM:
            return ext.get("valueBoolean")
    return None


def _map_device_request(batch, r, row, timing) -> None:
    row["status"], row["intent"] = r.get("status"), r.get("intent")
    row["do_not_perform"] = _do_not_perform_extension(r)
    authored = timing.point(r.get("authoredOn"))
    row.update(_bounds(authored, authored))


def _map_service_request(batch, r, row, timing) -> None:
    row["status"], row["intent"] = r.get("status"), r.get("intent")
    row["do_not_perform"] = r.get("doNotPerform")
    authored = timing.point(r.get("authoredOn"))
    row.update(_bounds(authored, authored))


def _map_allergy(batch, r, row, timing) -> None:
    row["clinical_status"] = _status_code(r.get("clinicalStatus"))
    row["verification_status"] = _status_code(r.get("verificationStatus"))
    row.update(timing.interval(r, "onset"))


MAPPERS = {
    "Patient": _map_patient, "Coverage": _map_coverage, "Encounter": _map_encounter,
    "Condition": _map_condition, "Procedure": _map_procedure, "Observation": _map_observation,
    "MedicationRequest": _map_medication_request, "MedicationDispense": _map_medication_dispense,
    "Immunization": _map_immunization, "DeviceRequest": _map_device_request,
    "ServiceRequest": _map_service_request, "AllergyIntolerance": _map_allergy,
}


# --------------------------------------------------------------------------------------------
# Public API


def read_fhir(batch: ClinicalBatch, root: Path, patient_key: str | None = None,
              label_root: Path | None = None) -> None:
    """Parse every file under `root` into `batch` (case mode when `patient_key` is given)."""
    root = Path(root)
    label_root = Path(label_root or (root if root.is_dir() else root.parent))
    for path in fhir_files(root):
        try:
            label = str(path.relative_to(label_root))
        except ValueError:
            label = str(path)
        for resource in iter_resources(path, batch, label):
            add_resource(batch, resource, label, patient_key)


@dataclass(frozen=True)
class LoadReport:
    records: int
    codings: int
    issues: int
    patients: int


def write_batch(con: duckdb.DuckDBPyConnection, batch: ClinicalBatch) -> LoadReport:
    _resolve_age_timings(batch)
    for table, rows in batch.rows.items():
        insert_rows(con, table, rows)
    insert_rows(con, "load_issue", (issue.row() for issue in batch.issues))
    return LoadReport(records=batch.record_count, codings=len(batch.rows["coding"]),
                      issues=len(batch.issues), patients=len(batch.rows["patient"]))


def load_fhir(con: duckdb.DuckDBPyConnection, root: Path, patient_key: str | None = None,
              replace: bool = True) -> LoadReport:
    """Load a FHIR folder/file into the clinical tables; by default replacing earlier FHIR rows."""
    create_clinical_tables(con)
    if replace:
        delete_source_kind(con, SOURCE_KIND)
    batch = ClinicalBatch(first_row_id=next_row_id(con))
    read_fhir(batch, root, patient_key)
    return write_batch(con, batch)


def load_case_folders(con: duckdb.DuckDBPyConnection, case_dirs: dict[str, Path]) -> LoadReport:
    """Load many case folders in one batch: every resource of a folder belongs to its key."""
    create_clinical_tables(con)
    batch = ClinicalBatch(first_row_id=next_row_id(con))
    for key, folder in case_dirs.items():
        read_fhir(batch, folder, patient_key=key, label_root=Path(folder).parent)
    return write_batch(con, batch)
