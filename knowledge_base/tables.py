"""Typed data tables: the single source of numbers for calculators and answers alike.

Every table carries a :class:`Basis` (legal references and the confidence tag of its figures).
Amounts are in AZN unless a field says otherwise; day counts say whether they are calendar or
working days in their names. The tables are built from ``content/tables/*.yml`` by
:mod:`knowledge_base.table_loader`; numbers there must match ``shared/reference/legal-facts.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from knowledge_base.model import Confidence, LegalReference, LocalText

AgeGroup = Literal["adult", "minor"]
ResidenceApplicant = Literal["adult", "minor", "student"]
WorkPermitRegime = Literal["general", "liberated_territories"]
Offender = Literal["foreigner", "host", "official", "legal_entity"]
StayPeriod = Literal["stay", "visit", "calendar_year"]


@dataclass(frozen=True, slots=True)
class Basis:
    """Where a table's figures come from and how sure we are of them.

    ``note`` explains a weak tag (why a figure is secondary or unverified) in English for editors;
    answers must say such figures are unverified or leave them out.
    """

    references: tuple[LegalReference, ...]
    confidence: Confidence
    sources: tuple[str, ...] = ()
    note: str | None = None

    @property
    def verified(self) -> bool:
        """False for [U] figures, which may not be stated as fact."""
        return self.confidence != "U"


# --- stay limits ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DayLimit:
    """A maximum number of calendar days of stay."""

    days: int
    basis: Basis


@dataclass(frozen=True, slots=True)
class VisaTypeLimit:
    """Maximum stay on one visa type (MC arts. 25–34)."""

    code: str  # official, business, education, work, medical, private, humanitarian, culture_sport, tourism, transit
    name: LocalText
    max_stay_days: int
    basis: Basis
    validity_days: int | None = None  # only where the Code sets it separately (transit: 30)


@dataclass(frozen=True, slots=True)
class CountryStayRule:
    """A nationality-specific visa-free stay rule.

    ``period`` says what ``max_days`` is counted over: one ``visit`` or a ``calendar_year``.
    """

    country: str  # ISO 3166-1 alpha-2
    max_days: int
    period: StayPeriod
    effective_from: date
    basis: Basis
    visits_per_year: int | None = None


@dataclass(frozen=True, slots=True)
class StayLimits:
    visa_free: DayLimit
    e_visa_single_entry: DayLimit
    e_visa_multiple_entry: DayLimit
    visa_types: tuple[VisaTypeLimit, ...]
    country_rules: tuple[CountryStayRule, ...]

    def visa_type(self, code: str) -> VisaTypeLimit | None:
        return next((v for v in self.visa_types if v.code == code), None)

    def country_rule(self, country: str | None) -> CountryStayRule | None:
        """The special rule for a nationality (ISO alpha-2), if any."""
        if country is None:
            return None
        return next((r for r in self.country_rules if r.country == country.upper()), None)


# --- registration at the place of stay -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class CountryDeadline:
    country: str  # ISO 3166-1 alpha-2
    days: int
    basis: Basis


@dataclass(frozen=True, slots=True)
class RegistrationRules:
    """Registration at the place of stay (MC 21).

    Anyone staying longer than ``threshold_days`` must be registered within ``deadline_days``
    calendar days of arrival (per-country overrides apply), free of charge; after moving, within
    ``move_deadline_working_days`` working days.
    """

    threshold_days: int
    deadline_days: int
    deadline_basis: Basis
    overrides: tuple[CountryDeadline, ...]
    fee_azn: Decimal
    fee_basis: Basis
    who_registers: Basis
    move_deadline_working_days: int
    move_basis: Basis
    notification_working_days: int

    def deadline_for(self, country: str | None) -> CountryDeadline:
        """The registration deadline for a nationality (ISO alpha-2), or the general rule."""
        if country is not None:
            for override in self.overrides:
                if override.country == country.upper():
                    return override
        return CountryDeadline(country="", days=self.deadline_days, basis=self.deadline_basis)


# --- fee tables ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExtensionFeeRow:
    processing_working_days: int
    age_group: AgeGroup
    stay_days: int
    amount_azn: Decimal


@dataclass(frozen=True, slots=True)
class StayExtension:
    """Extension of the temporary stay period (MC 39–43) and its fees."""

    max_days: int
    apply_before_working_days: int
    leave_after_refusal_hours: int
    rules_basis: Basis
    fees: tuple[ExtensionFeeRow, ...]
    fees_basis: Basis

    def fee(self, processing_working_days: int, age_group: AgeGroup, stay_days: int) -> ExtensionFeeRow | None:
        """The fee row for an extension of ``stay_days`` (rounded up to the 30/60-day tier)."""
        tiers = sorted({row.stay_days for row in self.fees if row.stay_days >= stay_days})
        if not tiers:
            return None
        return next(
            (
                row
                for row in self.fees
                if row.processing_working_days == processing_working_days
                and row.age_group == age_group
                and row.stay_days == tiers[0]
            ),
            None,
        )


@dataclass(frozen=True, slots=True)
class FeeRow:
    """One work-permit state fee: an "up to ``duration_months``" permit at a processing tier."""

    regime: WorkPermitRegime
    processing_working_days: int
    duration_months: int
    amount_azn: Decimal


@dataclass(frozen=True, slots=True)
class WorkPermitRegimeInfo:
    regime: WorkPermitRegime
    basis: Basis
    effective_from: date | None = None
    effective_to: date | None = None  # exclusive


@dataclass(frozen=True, slots=True)
class WorkPermitFees:
    regimes: tuple[WorkPermitRegimeInfo, ...]
    rows: tuple[FeeRow, ...]

    def regime(self, regime: WorkPermitRegime) -> WorkPermitRegimeInfo:
        return next(r for r in self.regimes if r.regime == regime)

    def processing_tiers(self, regime: WorkPermitRegime = "general") -> tuple[int, ...]:
        return tuple(sorted({row.processing_working_days for row in self.rows if row.regime == regime}))

    def work_permit_fee(
        self, duration_months: int, processing_days: int, regime: WorkPermitRegime = "general"
    ) -> FeeRow | None:
        """The fee for a permit of ``duration_months`` (the smallest "up to" tier that covers it).

        ``None`` when no tier covers the duration or ``processing_days`` is not a tier of ``regime``.
        Whether the regime is in force on a given date is the caller's check (:meth:`regime`).
        """
        if duration_months < 1:
            return None
        covering = sorted(
            row.duration_months
            for row in self.rows
            if row.regime == regime and row.processing_working_days == processing_days
            and row.duration_months >= duration_months
        )
        if not covering:
            return None
        return next(
            row
            for row in self.rows
            if row.regime == regime
            and row.processing_working_days == processing_days
            and row.duration_months == covering[0]
        )


@dataclass(frozen=True, slots=True)
class ResidenceFeeRow:
    applicant: ResidenceApplicant
    processing_working_days: int
    duration_months: int
    amount_azn: Decimal


@dataclass(frozen=True, slots=True)
class ResidenceFees:
    """Temporary-residence fees by applicant group, and what is sourced for permanent residence.

    Permanent-residence tier amounts were not found (facts sheet §4.2); only the pre-2019 flat
    fees are recorded, with their basis saying so.
    """

    temporary: tuple[ResidenceFeeRow, ...]
    temporary_basis: Basis
    permanent_pre_2019: tuple[tuple[AgeGroup, Decimal], ...]
    permanent_basis: Basis
    permanent_processing_tiers_working_days: tuple[int, ...]
    lost_trp_card_azn: Decimal
    lost_trp_card_basis: Basis

    def temporary_fee(
        self, applicant: ResidenceApplicant, processing_working_days: int, duration_months: int
    ) -> ResidenceFeeRow | None:
        return next(
            (
                row
                for row in self.temporary
                if row.applicant == applicant
                and row.processing_working_days == processing_working_days
                and row.duration_months == duration_months
            ),
            None,
        )


# --- fines ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fine:
    """An administrative fine (İXM) for one offender kind; ``max_azn == min_azn`` for fixed fines."""

    id: str
    article: str  # İXM provision, e.g. "575.1.1"
    offender: Offender
    offence: LocalText
    min_azn: Decimal
    max_azn: Decimal
    with_expulsion_possible: bool
    basis: Basis


@dataclass(frozen=True, slots=True)
class FinePayment:
    """What follows a migration fine (İXM 150.15–150.16)."""

    pay_within_days: int
    late_penalty_percent_per_day: Decimal
    late_penalty_max_months: int
    basis: Basis


@dataclass(frozen=True, slots=True)
class Fines:
    fines: tuple[Fine, ...]
    payment: FinePayment

    def for_article(self, article: str) -> tuple[Fine, ...]:
        return tuple(f for f in self.fines if f.article == article)

    def by_id(self, fine_id: str) -> Fine | None:
        return next((f for f in self.fines if f.id == fine_id), None)


# --- work-permit exemptions ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Exemption:
    """One category of MC art. 64 (``clause`` like ``"64.0.14"`` or ``"64.0.13-1"``)."""

    clause: str
    description: LocalText
    basis: Basis


@dataclass(frozen=True, slots=True)
class WorkPermitExemptions:
    exemptions: tuple[Exemption, ...]
    later_changes: LocalText  # the Dec 2024 highly-qualified-migrant note, said to be unverified
    later_changes_basis: Basis

    def clause(self, clause: str) -> Exemption | None:
        return next((e for e in self.exemptions if e.clause == clause), None)


# --- contacts ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Contact:
    """A way to reach the service or a helper (``kind``: phone, email, web, app, office)."""

    id: str
    kind: str
    value: str
    description: LocalText
    basis: Basis


@dataclass(frozen=True, slots=True)
class Contacts:
    contacts: tuple[Contact, ...]

    def contact(self, contact_id: str) -> Contact | None:
        return next((c for c in self.contacts if c.id == contact_id), None)


# --- public holidays -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Holiday:
    """A non-working day. ``confirmed`` is false for movable feasts and transfers not yet confirmed."""

    day: date
    name: LocalText
    confirmed: bool


@dataclass(frozen=True, slots=True)
class PublicHolidays:
    """Azerbaijan's non-working holidays (Labour Code art. 105) for working-day counts.

    Saturdays and Sundays are rest days (five-day week). Years outside ``years`` are not covered:
    asking about them raises ``LookupError`` rather than silently counting a holiday as working.
    """

    holidays: tuple[Holiday, ...]
    years: tuple[int, ...]
    basis: Basis

    def holiday(self, day: date) -> Holiday | None:
        return next((h for h in self.holidays if h.day == day), None)

    def is_working_day(self, day: date) -> bool:
        if day.year not in self.years:
            raise LookupError(f"public holidays for {day.year} are not in the knowledge base")
        return day.weekday() < 5 and self.holiday(day) is None

    def add_working_days(self, start: date, working_days: int) -> date:
        """The date ``working_days`` working days after ``start`` (``start`` itself not counted)."""
        day, left = start, working_days
        while left > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day


# --- all tables ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DataTables:
    """Every data table of the knowledge base (``KnowledgeBase.tables``)."""

    stay_limits: StayLimits
    registration: RegistrationRules
    stay_extension: StayExtension
    work_permit_fees: WorkPermitFees
    residence_fees: ResidenceFees
    fines: Fines
    exemptions: WorkPermitExemptions
    contacts: Contacts
    holidays: PublicHolidays

    def work_permit_fee(
        self, duration_months: int, processing_days: int, regime: WorkPermitRegime = "general"
    ) -> FeeRow | None:
        """Shortcut for :meth:`WorkPermitFees.work_permit_fee`."""
        return self.work_permit_fees.work_permit_fee(duration_months, processing_days, regime)

    def is_working_day(self, day: date) -> bool:
        """Shortcut for :meth:`PublicHolidays.is_working_day`."""
        return self.holidays.is_working_day(day)
