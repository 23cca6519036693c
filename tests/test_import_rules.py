"""The import's row checker and the add form must always agree (same rules, one place each)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extmail.forms import LinkageForm
from extmail.import_plan import check_linkage
from tests.test_fuzz_form import form


@pytest.mark.django_db
@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=form, taken=st.booleans())
def test_checker_agrees_with_the_add_form(data, taken):
    existing = ["taro@example.jp"] if taken else []

    def conflict(address):
        from extmail.selectors import conflict_reason

        return conflict_reason(existing, address)

    bound = LinkageForm(data, owner=None, conflict_check=conflict)
    value, errors = check_linkage(data, conflict_check=conflict)
    assert bound.is_valid() == (not errors), (dict(bound.errors), errors)
    if bound.is_valid():
        assert bound.cleaned_data["linkage"] == value
    else:
        assert set(bound.errors) == set(errors)
