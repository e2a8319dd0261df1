"""Moving the police profile into the fact tables (migration insights 0009) keeps every day's figures, even
for days whose transfer records retention has removed: the old rows are carried over as facts, with their
month slices."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("insights", "0008_factmonth_emptied_index")]
AFTER = [("insights", "0009_police_profile_in_fact_tables")]


@pytest.mark.django_db(transaction=True)
def test_the_old_profile_rows_become_facts_with_their_month_slices() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Day = old.get_model("insights", "PoliceProfileDay")
    common = {"district_code": "E07000222", "offence_group": "violence", "age_band": "25-to-34", "repeat": False}
    Day.objects.create(
        day=date(2024, 3, 5), sex="female", ethnicity="white", consent=True, offered=True, referred=False, n=4, **common
    )
    Day.objects.create(
        day=date(2024, 3, 9),
        sex="male",
        ethnicity="not-recorded",
        consent=False,
        offered=False,
        referred=False,
        n=2,
        **common,
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    FactDay = new.get_model("insights", "FactDay")
    FactMonth = new.get_model("insights", "FactMonth")

    def days(fact: str, **where: str) -> int:
        return sum(FactDay.objects.filter(fact=fact, **where).values_list("n", flat=True))

    assert days("police_profile.victims") == 6
    assert days("police_profile.victims:sex", detail="female") == 4
    assert days("police_profile.consented") == 4
    assert days("police_profile.offers_sent:ethnicity", detail="white") == 4
    assert days("police_profile.repeat_victims") == 0
    march = date(2024, 3, 1)
    total = FactMonth.objects.get(fact="police_profile.victims", grouping="", month=march)
    assert total.n == 6
    by_sex = FactMonth.objects.filter(fact="police_profile.victims:sex", grouping="district+detail", month=march)
    assert sorted(by_sex.values_list("detail", "n")) == [("female", 4), ("male", 2)]
    assert not new.get_model("insights", "RollupState").objects.filter(name="context_police_profile").exists()
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
