"""Random mixes of valid and invalid rows: all imported exactly once, or none and every invalid
row reported with its right row number (and no valid row blamed)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from beatbox.models import User
from extmail import services
from extmail.models import ImportBatch, Linkage
from tests.xlsx import book, linkage_row

KINDS = ["valid", "valid", "valid", "bad_port", "no_password", "bad_address", "duplicate",
         "bad_choice", "formula", "number_account"]


def make_row(kind: str, n: int, earlier: list[str]) -> tuple[list, str | None]:
    address = f"user{n}@provider.example"
    row = linkage_row("boss", address)
    if kind == "bad_port":
        row[2] = "pop.provider.example:0"
    elif kind == "no_password":
        row[4] = ""
    elif kind == "bad_address":
        row[1] = f"user{n}@@provider"
    elif kind == "duplicate" and earlier:
        row[1] = earlier[0].upper()
    elif kind == "bad_choice":
        row[6] = "たぶん"
    elif kind == "formula":
        row[3] = "=A1"
    elif kind == "number_account":
        row[3] = 1234
    else:
        return row, address
    return row, None


@pytest.mark.django_db
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(kinds=st.lists(st.sampled_from(KINDS), min_size=1, max_size=12))
def test_all_or_nothing(kinds):
    Linkage.objects.all().delete()
    ImportBatch.objects.all().delete()
    boss, _ = User.objects.get_or_create(login="boss", defaults={"is_admin": True})
    rows, valid, invalid_rows = [], [], set()
    for n, kind in enumerate(kinds):
        row, address = make_row(kind, n, valid)
        rows.append(row)
        if address is None:
            invalid_rows.add(n + 2)  # Excel row: the header is row 1
        else:
            valid.append(address)
    plan, batch = services.preview_import(actor=boss, data=book(linkages=rows))
    reported = {p.row for p in plan.problems}
    if invalid_rows:
        event("refused")
        assert batch is None
        assert reported == invalid_rows
        assert not Linkage.objects.exists()
    else:
        event("imported")
        assert plan.ok
        services.commit_import(actor=boss, batch_pk=batch.pk)
        services.commit_import(actor=boss, batch_pk=batch.pk)  # twice: still once
        stored = sorted(Linkage.objects.values_list("mail_address", flat=True))
        assert stored == sorted(valid)
