"""The need profile: what a referrer tells the finder about one patient.

It lives only for one request: it is never stored, never logged and never put in a URL. Its ``repr`` and
``str`` are redacted so that an accidental log call cannot leak it. Only :class:`Preferences` (filters that
say nothing about the patient) may travel in a share link.

Shape, by example::

    NeedProfile(home_area="5601", age=19, sex="male", substances=("opioids",), injecting=True,
                preferences=Preferences(max_distance_km=300))
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tsbkart.vocab import load_vocabularies

Substance = Literal[
    "alcohol",
    "opioids",
    "prescription_drugs",
    "cannabis",
    "stimulants",
    "anabolic_steroids",
    "gambling",
    "gaming",
]
SUBSTANCES: tuple[Substance, ...] = get_args(Substance)
Setting = Literal["any", "outpatient", "inpatient"]
Coercion = Literal["none", "hol_10_2", "hol_10_3"]
Lar = Literal["none", "current", "wanted"]
Sex = Literal["female", "male", "other"]

REDACTED = "<need profile redacted>"


class Preferences(BaseModel):
    """Filters that describe what the user wants to see, not the patient: safe in a share link."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    public_only: bool = Field(default=False, description="Only publicly owned providers (HF, municipal).")
    max_distance_km: float | None = Field(
        default=None, gt=0, le=3000, description="Maximum great-circle distance from home, km."
    )
    setting: Setting = Field(
        default="any", description="any, outpatient (incl. day) or inpatient (incl. acute)."
    )
    service_types: tuple[str, ...] = Field(
        default=(), max_length=20, description="Service type codes to show; empty = all."
    )

    @field_validator("service_types")
    @classmethod
    def _known_service_types(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        known = load_vocabularies()["service_types"].codes
        unknown = [code for code in value if code not in known]
        if unknown:
            raise ValueError(f"unknown service type code(s) {', '.join(unknown)}; valid: {', '.join(known)}")
        return value


class NeedProfile(BaseModel):
    """One patient's needs, held only for the request."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    home_area: str | None = Field(
        default=None,
        pattern=r"^[0-9]{4}([0-9]{2})?$",
        description="Home municipality (4 digits) or Oslo city district (bydel, 6 digits); or give postal_code.",
    )
    postal_code: str | None = Field(
        default=None,
        pattern=r"^[0-9]{4}$",
        description="Postal code (4 digits, Posten Bring's register) instead of or with home_area. An Oslo "
        "postal code gives Oslo (0301): the answer then asks for the city district.",
    )
    age: int = Field(ge=0, le=120)
    sex: Sex | None = None
    substances: tuple[Substance, ...] = Field(
        default=(), max_length=8, description="Main substances or addictions, the main one first."
    )
    injecting: bool = False
    injecting_groin_neck: bool = Field(default=False, description="Injecting in the groin or neck.")
    alcohol_over_20_units: bool = Field(default=False, description="More than 20 alcohol units a day.")
    pregnant: bool = False
    children_in_care: bool = Field(default=False, description="Has care of children under 18.")
    lar: Lar = Field(default="none", description="Opioid agonist treatment (LAR): current or wanted.")
    rop: bool = Field(default=False, description="Co-occurring severe mental illness (ROP).")
    detox: bool = Field(default=False, description="Needs detoxification (avrusning).")
    acute_crisis: bool = False
    coercion: Coercion = Field(default="none", description="Detention under HOL §10-2 or §10-3.")
    in_prison: bool = Field(default=False, description="In prison or serving a sentence.")
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}$", description="ISO 639-1 code.")
    preferences: Preferences = Field(default_factory=Preferences)

    @model_validator(mode="after")
    def _consistent(self) -> NeedProfile:
        problems: list[str] = []
        if self.home_area is None and self.postal_code is None:
            problems.append("home_area: give a municipality, an Oslo city district or a postal code")
        if len(set(self.substances)) != len(self.substances):
            problems.append("substances: each substance may be given once")
        if self.pregnant and self.sex == "male":
            problems.append("pregnant: cannot be combined with sex 'male'")
        if self.coercion == "hol_10_3" and not self.pregnant:
            problems.append("coercion: HOL §10-3 applies to pregnant women only; set pregnant")
        if self.alcohol_over_20_units and "alcohol" not in self.substances:
            problems.append("alcohol_over_20_units: add 'alcohol' to substances")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # Never show the profile in logs, tracebacks or debug output.
    def __repr__(self) -> str:
        return REDACTED

    def __str__(self) -> str:
        return REDACTED

    @property
    def injects(self) -> bool:
        return self.injecting or self.injecting_groin_neck

    @property
    def opioid_need(self) -> bool:
        return "opioids" in self.substances or self.lar != "none"

    @property
    def coerced(self) -> bool:
        return self.coercion != "none"
