"""Load the versioned reference data sets in onedoor/core/reference/*.json.

Each file names its dataset, version and source. Loading is an idempotent upsert on each row's natural
key, so a new version of a file is applied by a new data migration that calls `load_reference` again.
These are national vocabularies only: an area's districts come from its area file (`load_area`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.apps import apps as global_apps
from django.utils import timezone

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"

# file -> (model name, natural key fields)
DATASETS: dict[str, tuple[str, tuple[str, ...]]] = {
    "offence_groups.json": ("OffenceGroup", ("slug",)),
    "flags.json": ("Flag", ("slug",)),
    "demographics.json": ("DemographicCategory", ("characteristic", "code")),
    "needs.json": ("NeedCategory", ("number",)),
    "rights.json": ("VictimsCodeRight", ("code_version", "number")),
    "outcomes.json": ("OutcomeType", ("number",)),
}


def read_dataset(filename: str) -> dict[str, Any]:
    with (REFERENCE_DIR / filename).open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


def load_reference(apps: Any = None) -> dict[str, int]:
    registry = apps or global_apps
    version_model = registry.get_model("core", "ReferenceDataVersion")
    counts: dict[str, int] = {}
    for filename, (model_name, key_fields) in DATASETS.items():
        model = registry.get_model("core", model_name)
        data = read_dataset(filename)
        for row in data["rows"]:
            key = {k: row[k] for k in key_fields}
            defaults = {k: v for k, v in row.items() if k not in key_fields}
            model.objects.update_or_create(**key, defaults=defaults)
        version_model.objects.update_or_create(
            dataset=data["dataset"],
            defaults={"version": data["version"], "source": data["source"], "loaded_at": timezone.now()},
        )
        counts[data["dataset"]] = len(data["rows"])
    return counts
