"""Build :class:`~knowledge_base.tables.DataTables` from the parsed ``tables/*.yml`` files."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from knowledge_base.acts import load_reference, reference_to
from knowledge_base.errors import ContentError
from knowledge_base.model import CONFIDENCE_LEVELS, Act, LegalReference
from knowledge_base.tables import (
    Basis,
    Contact,
    Contacts,
    CountryDeadline,
    CountryStayRule,
    DataTables,
    DayLimit,
    Exemption,
    ExtensionFeeRow,
    FeeRow,
    Fine,
    FinePayment,
    Fines,
    Holiday,
    PublicHolidays,
    RegistrationRules,
    ResidenceFeeRow,
    ResidenceFees,
    StayExtension,
    StayLimits,
    VisaTypeLimit,
    WorkPermitExemptions,
    WorkPermitFees,
    WorkPermitRegimeInfo,
)
from knowledge_base.yaml_reader import Node

TABLE_NAMES: tuple[str, ...] = tuple(DataTables.__dataclass_fields__)
"""Table names as used in articles' ``tables:`` (= file stems under ``tables/``)."""


def load_tables(files: Mapping[str, Node], acts: Mapping[str, Act]) -> DataTables:
    """Build every table; ``files`` maps a table name (file stem) to its parsed YAML."""
    unknown = sorted(set(files) - set(TABLE_NAMES))
    if unknown:
        raise ContentError(f"tables/{unknown[0]}.yml", "(file)", f"unknown table; known: {', '.join(TABLE_NAMES)}")
    missing = [name for name in TABLE_NAMES if name not in files]
    if missing:
        raise ContentError(f"tables/{missing[0]}.yml", "(file)", "missing")
    builders: dict[str, Callable[[Node, Mapping[str, Act]], object]] = {
        "stay_limits": _stay_limits,
        "registration": _registration,
        "stay_extension": _stay_extension,
        "work_permit_fees": _work_permit_fees,
        "residence_fees": _residence_fees,
        "fines": _fines,
        "exemptions": _exemptions,
        "contacts": _contacts,
        "holidays": _holidays,
    }
    return DataTables(**{name: builders[name](files[name], acts) for name in TABLE_NAMES})  # type: ignore[arg-type]


def basis(node: Node, acts: Mapping[str, Act], extra: tuple[LegalReference, ...] = ()) -> Basis:
    node.only_keys("confidence", "references", "sources", "note")
    references = tuple(load_reference(item, acts) for item in node["references"].items()) if node.has("references") else ()
    return Basis(
        references=references + extra,
        confidence=node["confidence"].choice(*CONFIDENCE_LEVELS),  # type: ignore[arg-type]
        sources=node["sources"].texts() if node.has("sources") else (),
        note=node["note"].text() if node.has("note") else None,
    )


def _stay_limits(node: Node, acts: Mapping[str, Act]) -> StayLimits:
    node.only_keys("visa_free", "e_visa_single_entry", "e_visa_multiple_entry", "visa_types", "country_rules")

    def limit(key: str) -> DayLimit:
        item = node[key]
        item.only_keys("days", "basis")
        return DayLimit(days=item["days"].integer(), basis=basis(item["basis"], acts))

    visa_types = node["visa_types"]
    visa_types.only_keys("basis", "rows")
    visa_rows = []
    for row in visa_types["rows"].items():
        row.only_keys("code", "article", "max_stay_days", "validity_days", "name")
        article_ref = reference_to("migration_code", row["article"].code(), acts, row)
        visa_rows.append(
            VisaTypeLimit(
                code=row["code"].text(),
                name=row["name"].local_text(),
                max_stay_days=row["max_stay_days"].integer(),
                validity_days=row["validity_days"].integer() if row.has("validity_days") else None,
                basis=basis(visa_types["basis"], acts, extra=(article_ref,)),
            )
        )
    rules = []
    for row in node["country_rules"].items():
        row.only_keys("country", "max_days", "period", "visits_per_year", "effective_from", "basis")
        rules.append(
            CountryStayRule(
                country=row["country"].text().upper(),
                max_days=row["max_days"].integer(),
                period=row["period"].choice("stay", "visit", "calendar_year"),  # type: ignore[arg-type]
                visits_per_year=row["visits_per_year"].integer() if row.has("visits_per_year") else None,
                effective_from=row["effective_from"].day(),
                basis=basis(row["basis"], acts),
            )
        )
    return StayLimits(
        visa_free=limit("visa_free"),
        e_visa_single_entry=limit("e_visa_single_entry"),
        e_visa_multiple_entry=limit("e_visa_multiple_entry"),
        visa_types=tuple(visa_rows),
        country_rules=tuple(rules),
    )


def _registration(node: Node, acts: Mapping[str, Act]) -> RegistrationRules:
    node.only_keys(
        "threshold_days", "deadline_days", "deadline_basis", "overrides", "fee_azn", "fee_basis",
        "who_registers", "move_deadline_working_days", "move_basis", "notification_working_days",
    )
    overrides = []
    for row in node["overrides"].items():
        row.only_keys("country", "days", "basis")
        overrides.append(
            CountryDeadline(country=row["country"].text().upper(), days=row["days"].integer(), basis=basis(row["basis"], acts))
        )
    return RegistrationRules(
        threshold_days=node["threshold_days"].integer(),
        deadline_days=node["deadline_days"].integer(),
        deadline_basis=basis(node["deadline_basis"], acts),
        overrides=tuple(overrides),
        fee_azn=node["fee_azn"].amount(),
        fee_basis=basis(node["fee_basis"], acts),
        who_registers=basis(node["who_registers"], acts),
        move_deadline_working_days=node["move_deadline_working_days"].integer(),
        move_basis=basis(node["move_basis"], acts),
        notification_working_days=node["notification_working_days"].integer(),
    )


def _stay_extension(node: Node, acts: Mapping[str, Act]) -> StayExtension:
    node.only_keys("max_days", "apply_before_working_days", "leave_after_refusal_hours", "rules_basis", "fees_basis", "fees")
    fees = []
    for row in node["fees"].items():
        row.only_keys("processing_working_days", "age_group", "stay_days", "amount_azn")
        fees.append(
            ExtensionFeeRow(
                processing_working_days=row["processing_working_days"].integer(),
                age_group=row["age_group"].choice("adult", "minor"),  # type: ignore[arg-type]
                stay_days=row["stay_days"].integer(),
                amount_azn=row["amount_azn"].amount(),
            )
        )
    return StayExtension(
        max_days=node["max_days"].integer(),
        apply_before_working_days=node["apply_before_working_days"].integer(),
        leave_after_refusal_hours=node["leave_after_refusal_hours"].integer(),
        rules_basis=basis(node["rules_basis"], acts),
        fees=tuple(fees),
        fees_basis=basis(node["fees_basis"], acts),
    )


def _work_permit_fees(node: Node, acts: Mapping[str, Act]) -> WorkPermitFees:
    node.only_keys("regimes", "rows")
    regimes = []
    for item in node["regimes"].items():
        item.only_keys("regime", "effective_from", "effective_to", "basis")
        regimes.append(
            WorkPermitRegimeInfo(
                regime=item["regime"].choice("general", "liberated_territories"),  # type: ignore[arg-type]
                effective_from=item["effective_from"].day() if item.has("effective_from") else None,
                effective_to=item["effective_to"].day() if item.has("effective_to") else None,
                basis=basis(item["basis"], acts),
            )
        )
    known = {regime.regime for regime in regimes}
    rows = []
    for row in node["rows"].items():
        row.only_keys("regime", "processing_working_days", "duration_months", "amount_azn")
        rows.append(
            FeeRow(
                regime=row["regime"].choice(*sorted(known)),  # type: ignore[arg-type]
                processing_working_days=row["processing_working_days"].integer(),
                duration_months=row["duration_months"].integer(),
                amount_azn=row["amount_azn"].amount(),
            )
        )
    return WorkPermitFees(regimes=tuple(regimes), rows=tuple(rows))


def _residence_fees(node: Node, acts: Mapping[str, Act]) -> ResidenceFees:
    node.only_keys(
        "temporary_basis", "temporary", "permanent_pre_2019", "permanent_processing_tiers_working_days",
        "permanent_basis", "lost_trp_card_azn", "lost_trp_card_basis",
    )
    rows = []
    for row in node["temporary"].items():
        row.only_keys("applicant", "processing_working_days", "duration_months", "amount_azn")
        rows.append(
            ResidenceFeeRow(
                applicant=row["applicant"].choice("adult", "minor", "student"),  # type: ignore[arg-type]
                processing_working_days=row["processing_working_days"].integer(),
                duration_months=row["duration_months"].integer(),
                amount_azn=row["amount_azn"].amount(),
            )
        )
    permanent = node["permanent_pre_2019"]
    permanent.only_keys("adult", "minor")
    return ResidenceFees(
        temporary=tuple(rows),
        temporary_basis=basis(node["temporary_basis"], acts),
        permanent_pre_2019=(("adult", permanent["adult"].amount()), ("minor", permanent["minor"].amount())),
        permanent_basis=basis(node["permanent_basis"], acts),
        permanent_processing_tiers_working_days=tuple(
            item.integer() for item in node["permanent_processing_tiers_working_days"].items()
        ),
        lost_trp_card_azn=node["lost_trp_card_azn"].amount(),
        lost_trp_card_basis=basis(node["lost_trp_card_basis"], acts),
    )


def _fines(node: Node, acts: Mapping[str, Act]) -> Fines:
    node.only_keys("basis", "fines", "payment")
    fines = []
    for row in node["fines"].items():
        row.only_keys("id", "article", "offender", "min_azn", "max_azn", "with_expulsion_possible", "offence")
        article = row["article"].code()
        own_ref = reference_to("admin_offences_code", article, acts, row)
        minimum, maximum = row["min_azn"].amount(), row["max_azn"].amount()
        if minimum > maximum:
            raise row["min_azn"].fail("greater than max_azn")
        fines.append(
            Fine(
                id=row["id"].text(),
                article=article,
                offender=row["offender"].choice("foreigner", "host", "official", "legal_entity"),  # type: ignore[arg-type]
                offence=row["offence"].local_text(),
                min_azn=minimum,
                max_azn=maximum,
                with_expulsion_possible=row["with_expulsion_possible"].boolean(),
                basis=basis(node["basis"], acts, extra=(own_ref,)),
            )
        )
    payment = node["payment"]
    payment.only_keys("pay_within_days", "late_penalty_percent_per_day", "late_penalty_max_months", "basis")
    return Fines(
        fines=tuple(fines),
        payment=FinePayment(
            pay_within_days=payment["pay_within_days"].integer(),
            late_penalty_percent_per_day=payment["late_penalty_percent_per_day"].amount(),
            late_penalty_max_months=payment["late_penalty_max_months"].integer(),
            basis=basis(payment["basis"], acts),
        ),
    )


def _exemptions(node: Node, acts: Mapping[str, Act]) -> WorkPermitExemptions:
    node.only_keys("basis", "exemptions", "later_changes", "later_changes_basis")
    exemptions = []
    for row in node["exemptions"].items():
        row.only_keys("clause", "description")
        clause = row["clause"].code()
        own_ref = reference_to("migration_code", clause, acts, row)
        exemptions.append(
            Exemption(clause=clause, description=row["description"].local_text(), basis=basis(node["basis"], acts, extra=(own_ref,)))
        )
    return WorkPermitExemptions(
        exemptions=tuple(exemptions),
        later_changes=node["later_changes"].local_text(),
        later_changes_basis=basis(node["later_changes_basis"], acts),
    )


def _contacts(node: Node, acts: Mapping[str, Act]) -> Contacts:
    node.only_keys("contacts")
    contacts = []
    for row in node["contacts"].items():
        row.only_keys("id", "kind", "value", "description", "basis")
        contacts.append(
            Contact(
                id=row["id"].text(),
                kind=row["kind"].choice("phone", "email", "web", "app", "office"),
                value=row["value"].text(),
                description=row["description"].local_text(),
                basis=basis(row["basis"], acts),
            )
        )
    return Contacts(contacts=tuple(contacts))


def _holidays(node: Node, acts: Mapping[str, Act]) -> PublicHolidays:
    node.only_keys("years", "basis", "fixed", "unconfirmed")
    years = tuple(item.integer() for item in node["years"].items())
    holidays: list[Holiday] = []
    for row in node["fixed"].items():
        row.only_keys("month_day", "name")
        month_day = row["month_day"].code()
        try:
            month, day = (int(part) for part in month_day.split("-"))
            holidays.extend(Holiday(day=date(year, month, day), name=row["name"].local_text(), confirmed=True) for year in years)
        except ValueError:
            raise row["month_day"].fail(f"not a MM-DD date: {month_day!r}") from None
    for row in node["unconfirmed"].items():
        row.only_keys("date", "name")
        holidays.append(Holiday(day=row["date"].day(), name=row["name"].local_text(), confirmed=False))
    return PublicHolidays(holidays=tuple(sorted(holidays, key=lambda h: h.day)), years=years, basis=basis(node["basis"], acts))
