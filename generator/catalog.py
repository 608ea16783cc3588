"""Reference data of the simulated market: lines of business, countries, reinsurers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    code: str
    name: str
    group: str
    weight: float  # share of policies written
    si_median: float  # median sum insured, USD (risk profiles: generator.profiles)
    coverages: tuple[str, ...]
    causes: tuple[str, ...]
    usd_share: float  # share of policies written in USD whatever the insured's country


LINES: tuple[Line, ...] = (
    Line(
        "MAR-CARGO",
        "Marine Cargo",
        "Marine",
        8,
        4e6,
        ("ALL-RISKS", "WAR-STRIKES", "STOCK-THROUGHPUT"),
        ("Heavy weather", "Theft", "Water damage", "Handling damage"),
        0.6,
    ),
    Line(
        "MAR-HULL",
        "Marine Hull & Machinery",
        "Marine",
        5,
        25e6,
        ("HULL-MACHINERY", "INCREASED-VALUE", "WAR-STRIKES"),
        ("Collision", "Grounding", "Machinery breakdown", "Fire"),
        0.7,
    ),
    Line(
        "MAR-PI",
        "Marine Protection & Indemnity",
        "Marine",
        3,
        50e6,
        ("PI-CREW", "PI-POLLUTION", "PI-CARGO"),
        ("Crew injury", "Pollution", "Cargo liability"),
        0.7,
    ),
    Line(
        "AVI-HULL",
        "Aviation Hull",
        "Aviation",
        3,
        60e6,
        ("HULL-ALL-RISKS", "HULL-WAR", "SPARES"),
        ("Hard landing", "Bird strike", "Ground collision", "Hail"),
        0.8,
    ),
    Line(
        "AVI-LIAB",
        "Aviation Liability",
        "Aviation",
        2,
        250e6,
        ("PASSENGER-LIAB", "THIRD-PARTY-LIAB"),
        ("Passenger injury", "Third-party damage"),
        0.8,
    ),
    Line(
        "ENE-UPSTR",
        "Energy Upstream",
        "Energy",
        3,
        120e6,
        ("CONTROL-OF-WELL", "PHYSICAL-DAMAGE", "REDRILL"),
        ("Blowout", "Fire", "Storm damage"),
        0.8,
    ),
    Line(
        "ENE-DOWNSTR",
        "Energy Downstream",
        "Energy",
        3,
        200e6,
        ("PROPERTY-DAMAGE", "BUSINESS-INTERRUPTION"),
        ("Explosion", "Fire", "Machinery breakdown"),
        0.6,
    ),
    Line(
        "PRO-CAT",
        "Property Catastrophe",
        "Property",
        8,
        30e6,
        ("WINDSTORM", "EARTHQUAKE", "FLOOD"),
        ("Windstorm", "Earthquake", "Flood", "Wildfire"),
        0.4,
    ),
    Line(
        "PRO-COMM",
        "Commercial Property",
        "Property",
        10,
        12e6,
        ("BUILDINGS", "CONTENTS", "BUSINESS-INTERRUPTION"),
        ("Fire", "Escape of water", "Storm damage", "Theft"),
        0.3,
    ),
    Line(
        "PRO-TERR",
        "Terrorism",
        "Property",
        2,
        40e6,
        ("TERRORISM", "SABOTAGE"),
        ("Terrorist act", "Sabotage"),
        0.5,
    ),
    Line(
        "CAS-GL",
        "General Liability",
        "Casualty",
        9,
        5e6,
        ("PUBLIC-LIAB", "PRODUCTS-LIAB"),
        ("Bodily injury", "Property damage to third party", "Product defect"),
        0.3,
    ),
    Line(
        "CAS-EL",
        "Employers Liability",
        "Casualty",
        5,
        10e6,
        ("EMPLOYERS-LIAB",),
        ("Workplace injury", "Occupational disease"),
        0.2,
    ),
    Line(
        "FIN-DO",
        "Directors & Officers",
        "Financial Lines",
        7,
        10e6,
        ("SIDE-A", "SIDE-B", "SIDE-C"),
        ("Securities claim", "Regulatory investigation", "Shareholder action"),
        0.5,
    ),
    Line(
        "FIN-PI",
        "Professional Indemnity",
        "Financial Lines",
        7,
        5e6,
        ("CIVIL-LIAB", "DEFENCE-COSTS"),
        ("Negligent advice", "Breach of duty", "Loss of documents"),
        0.4,
    ),
    Line(
        "FIN-CRIME",
        "Commercial Crime",
        "Financial Lines",
        3,
        5e6,
        ("EMPLOYEE-DISHONESTY", "SOCIAL-ENGINEERING"),
        ("Employee fraud", "Social engineering fraud"),
        0.4,
    ),
    Line(
        "POL-CRED",
        "Political Risk & Trade Credit",
        "Political Risk",
        3,
        20e6,
        ("CONFISCATION", "CONTRACT-FRUSTRATION", "NON-PAYMENT"),
        ("Expropriation", "Contract frustration", "Buyer insolvency"),
        0.8,
    ),
    Line(
        "POL-VIOL",
        "Political Violence",
        "Political Risk",
        2,
        30e6,
        ("STRIKES-RIOT", "WAR-ON-LAND"),
        ("Riot", "Civil commotion", "War damage"),
        0.8,
    ),
    Line(
        "CYB-1P",
        "Cyber First Party",
        "Cyber",
        6,
        5e6,
        ("BREACH-RESPONSE", "CYBER-EXTORTION", "SYSTEM-DAMAGE"),
        ("Ransomware", "Data breach", "System outage"),
        0.4,
    ),
    Line(
        "CYB-3P",
        "Cyber Liability",
        "Cyber",
        4,
        10e6,
        ("PRIVACY-LIAB", "NETWORK-SECURITY-LIAB", "MEDIA-LIAB"),
        ("Privacy claim", "Network security failure"),
        0.5,
    ),
)


@dataclass(frozen=True)
class Country:
    code: str
    locale: str
    currency: str
    weight: float
    tax_pct: float  # insurance premium tax on gross written premium


COUNTRIES: tuple[Country, ...] = (
    Country("US", "en_US", "USD", 30, 0.0),
    Country("GB", "en_GB", "GBP", 18, 12.0),
    Country("DE", "de_DE", "EUR", 8, 19.0),
    Country("FR", "fr_FR", "EUR", 6, 9.0),
    Country("NL", "nl_NL", "EUR", 5, 21.0),
    Country("IT", "it_IT", "EUR", 3, 22.25),
    Country("ES", "es_ES", "EUR", 3, 8.0),
    Country("CH", "de_CH", "CHF", 4, 5.0),
    Country("NO", "no_NO", "NOK", 3, 0.0),
    Country("JP", "ja_JP", "JPY", 5, 0.0),
    Country("AU", "en_AU", "AUD", 4, 10.0),
    Country("CA", "en_CA", "CAD", 5, 4.0),
    Country("SG", "en_GB", "SGD", 3, 0.0),
    Country("BR", "pt_BR", "BRL", 3, 7.38),
)

# Currencies the FX reference (seeds/fx_rates_monthly.csv) must cover.
CURRENCIES: tuple[str, ...] = tuple(sorted({c.currency for c in COUNTRIES} | {"USD"}))

# Approximate units of currency per USD, the centre of the simulated monthly FX walk.
FX_CENTRE: dict[str, float] = {
    "USD": 1.0,
    "GBP": 0.79,
    "EUR": 0.92,
    "CHF": 0.88,
    "NOK": 10.6,
    "JPY": 150.0,
    "AUD": 1.52,
    "CAD": 1.36,
    "SGD": 1.34,
    "BRL": 5.1,
}

REINSURERS: tuple[tuple[str, str], ...] = (
    ("Munich Reinsurance Company", "AA-"),
    ("Swiss Reinsurance Company", "AA-"),
    ("Hannover Rueck SE", "AA-"),
    ("SCOR SE", "A+"),
    ("Berkshire Hathaway Reinsurance", "AA+"),
    ("Everest Reinsurance Company", "A+"),
    ("RenaissanceRe", "A+"),
    ("PartnerRe", "A+"),
    ("General Reinsurance Corporation", "AA+"),
    ("TransRe", "A+"),
    ("Arch Reinsurance", "A+"),
    ("Lloyd's Syndicate 2623", "A+"),
    ("Korean Reinsurance Company", "A"),
    ("Toa Reinsurance", "A"),
)
RATINGS: tuple[str, ...] = ("AA+", "AA", "AA-", "A+", "A", "A-", "BBB+")

INDUSTRIES: tuple[str, ...] = (
    "Shipping",
    "Logistics",
    "Manufacturing",
    "Energy",
    "Construction",
    "Retail",
    "Technology",
    "Financial Services",
    "Healthcare",
    "Agriculture",
    "Mining",
    "Aviation",
    "Hospitality",
    "Real Estate",
    "Telecommunications",
    "Chemicals",
)

# Treaty programme per line: the chance of a quota share, else of a surplus (a line has at
# most one proportional treaty), and, independently, of an excess-of-loss layer.
TREATY_TYPE_PROBABILITY: dict[str, float] = {
    "quota_share": 0.55,
    "surplus": 0.35,
    "excess_of_loss": 0.8,
}
