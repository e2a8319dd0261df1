"""Seeds a database for the API fuzzing run (.ci/fuzz-api): a referrer with a referral, a police data officer,
API tokens for both, and a small postcode sample, then prints the values schemathesis needs as shell
assignments. Run after `migrate`, `load_area` and `load_directory`, with the same DATABASE_URL."""

from __future__ import annotations

import io
import json
import os
import shlex
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onedoor.settings")
django.setup()

from django.core.management import call_command  # noqa: E402

from onedoor.accounts.models import Organisation, Role  # noqa: E402
from onedoor.accounts.services import api_token_create, user_create  # noqa: E402
from onedoor.directory.models import (  # noqa: E402
    DirectoryOrganisation,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from onedoor.police.chunks import police_batch_upload  # noqa: E402
from onedoor.police.generator import generate  # noqa: E402
from tests.directory.onspd_sample import write_sample  # noqa: E402
from tests.referrals.factories import make_referral  # noqa: E402


def main() -> None:
    police_org = Organisation.objects.get(slug="warwickshire-police")
    referrer = user_create(
        username="fuzz-referrer", role=Role.REFERRER, organisation=police_org, email="fuzz-referrer@example.org"
    )
    officer = user_create(
        username="fuzz-police", role=Role.POLICE_DATA_OFFICER, organisation=police_org, email="fuzz-police@example.org"
    )
    referral = make_referral(referrer=referrer)
    sample = Path(os.environ["FUZZ_TMP"]) / "onspd-sample.csv"  # the run's own temporary directory
    write_sample(sample)
    call_command("load_postcodes", str(sample), stdout=io.StringIO())
    police_file = io.BytesIO()
    generate(police_file, rows=5, seed=18)
    police_file.seek(0)
    batch = police_batch_upload(f=police_file, file_name="fuzz.csv", actor=officer, channel="api")
    # Seeded ids: schemathesis uses them for about half the cases on each single-item operation (its
    # "dictionaries"), so the handlers' found paths run as well as their 404s.
    ids = {
        "service_ids": [str(u) for u in Service.objects.filter(active=True).values_list("uuid", flat=True)[:5]],
        "organization_ids": [str(u) for u in DirectoryOrganisation.objects.values_list("uuid", flat=True)[:5]],
        "taxonomy_ids": [str(u) for u in Taxonomy.objects.values_list("uuid", flat=True)],
        "taxonomy_term_ids": [str(u) for u in TaxonomyTerm.objects.values_list("uuid", flat=True)[:5]],
        "service_at_location_ids": [str(u) for u in ServiceAtLocation.objects.values_list("uuid", flat=True)],
        "referral_references": [referral.reference],
        "batch_ids": [batch.pk],
        "postcodes": ["CV34 4RL", "CV21 2SG", "CV11 5BX", "CV37 6HB"],
    }
    with (Path(os.environ["FUZZ_TMP"]) / "seeded.toml").open("w") as f:
        for name, values in ids.items():
            f.write(f"\n[dictionaries.{name}]\nvalues = {json.dumps(values)}\n")
    tokens = {
        "REFERRER_TOKEN": api_token_create(user=referrer, name="api fuzzing"),
        "POLICE_TOKEN": api_token_create(user=officer, name="api fuzzing"),
    }
    for name, value in tokens.items():
        print(f"{name}={shlex.quote(value)}")


if __name__ == "__main__":
    main()
