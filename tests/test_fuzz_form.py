"""Random input in every field never gives a 500 and never saves an invalid linkage."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from beatbox.models import User
from extmail import services, validation
from extmail.models import Linkage, LinkageDraft

ADD_URL = "/beatman/setting/self/extmail/addmail.jsp"
TEXT_FIELDS = ["mail_address", "pop_server", "pop_account", "pop_password", "smtp_server",
               "smtp_account", "smtp_password"]
CHOICES = {"pop_auth": ["auto", "user", "apop"], "leave_on_server": ["0", "1"],
           "pop_ssl": ["0", "1"], "smtp_auth": ["default", "custom"], "smtp_ssl": ["0", "1"]}

# Text biased towards what breaks parsers: separators, brackets, full-width forms, controls.
tricky = st.lists(st.sampled_from(
    list("ab.:-[]@ 0123456789１２：．ａ＠\r\n\x00\t\u3000ÿ漢") + ["::", "]:", ".jp"]),
    max_size=20).map("".join)
plausible = st.sampled_from(["taro@example.jp", "pop.example.jp", "pop.example.jp:110",
                             "[2001:db8::1]:995", "taro", "pw", ""])
field_value = st.one_of(st.text(max_size=300), tricky, plausible)


def mostly(valid: st.SearchStrategy, other: st.SearchStrategy) -> st.SearchStrategy:
    """Valid about 85% of the time, so whole forms are sometimes accepted."""
    return st.integers(0, 99).flatmap(lambda n: valid if n < 85 else other)


def choice_value(name: str) -> st.SearchStrategy:
    return mostly(st.sampled_from(CHOICES[name]), st.text(max_size=5))
VALID = {"mail_address": "taro@example.jp", "pop_server": "pop.example.jp",
         "pop_account": "taro", "pop_password": " pw ", "smtp_server": "[2001:db8::1]:587",
         "smtp_account": "sender", "smtp_password": "spw"}
# Each field is either valid or random, so both accepted and refused forms are explored.
form = st.fixed_dictionaries({
    **{name: mostly(st.just(VALID[name]), field_value) for name in TEXT_FIELDS},
    **{name: choice_value(name) for name in CHOICES},
})


def assert_valid(obj) -> None:
    """What the form let through must satisfy every rule again."""
    assert validation.clean_mail_address(obj.mail_address) == obj.mail_address
    for side in ("pop", "smtp"):
        host, port = getattr(obj, f"{side}_host"), getattr(obj, f"{side}_port")
        assert validation.parse_server(f"[{host}]" if ":" in host else host)[0] == host
        assert 1 <= port <= 65535
    validation.clean_account(obj.pop_account)
    assert obj.pop_password_enc
    if obj.smtp_auth == "custom":
        validation.clean_account(obj.smtp_account)
        assert obj.smtp_password_enc
    else:
        assert obj.smtp_account == "" and obj.smtp_password_enc == ""
    assert obj.pop_auth in CHOICES["pop_auth"] and obj.smtp_auth in CHOICES["smtp_auth"]


@pytest.mark.django_db
@override_settings(BEATBOX_CHECK_RATE=1_000_000)
@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=form)
def test_random_form_input(data, task_queue):
    owner, _ = User.objects.get_or_create(login="fuzz")
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    drafts_before = set(LinkageDraft.objects.values_list("pk", flat=True))
    response = client.post(ADD_URL, data)
    assert response.status_code in (200, 302)
    event(f"status {response.status_code}")
    new = LinkageDraft.objects.exclude(pk__in=drafts_before)
    if response.status_code == 200:
        assert not new.exists()
        return
    draft = new.get()
    assert_valid(draft)
    assert draft.get_secret("pop_password") == data["pop_password"]  # exactly as typed
    try:
        check = services.start_check(owner=owner, draft_pk=draft.pk)
    except services.ServiceError:
        event("duplicate refused at start")
        return
    event("linkage saved")
    assert_valid(check.linkage)
    Linkage.objects.filter(owner=owner).delete()
