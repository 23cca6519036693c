"""Managing existing linkages and users: list, change, status, delete, primary address, mail
client settings, 責任者 pages, the admin site and the audit log."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from beatbox.models import AuditEntry, User
from extmail.models import CheckStatus, Linkage, LinkageState
from tests.conftest import form_data, run_queued

ADD_URL = "/beatman/setting/self/extmail/addmail.jsp"


@pytest.fixture
def linked(user_client, user, mail_peers, task_queue, django_capture_on_commit_callbacks):
    """A helper that adds a linkage through the real screens and runs its check."""
    dovecot, smtp = mail_peers

    def add(client=user_client, admin_for=None, **overrides) -> Linkage:
        data = form_data(dovecot, smtp, **overrides)
        url = ADD_URL if admin_for is None else reverse(
            "extmail_admin:add", kwargs={"user_pk": admin_for.pk})
        confirm = client.post(url, data)["Location"]
        with django_capture_on_commit_callbacks(execute=True):
            client.post(confirm)
        run_queued(task_queue)
        return Linkage.objects.get(mail_address=data["mail_address"])

    return add


def test_list_shows_state_primary_and_check_links(user_client, linked, mail_peers):
    dovecot, _ = mail_peers
    good = linked()
    bad = linked(mail_address="other@provider.example", pop_password="wrong")
    html = user_client.get(reverse("extmail:list")).content.decode()
    assert good.mail_address in html and bad.mail_address in html
    assert "確認済み" in html and "確認失敗" in html and "主たるメールアドレス" in html
    # The 「接続確認」 link only for the linkage that has not passed.
    assert reverse("extmail:recheck", kwargs={"pk": bad.pk}) in html
    assert reverse("extmail:recheck", kwargs={"pk": good.pk}) not in html
    for page in ("extmail:mailclient", "extmail:mainaddress"):
        html = user_client.get(reverse(page)).content.decode()
        assert reverse("extmail:recheck", kwargs={"pk": bad.pk}) in html


def test_select_then_next(user_client, linked):
    linkage = linked()
    for action in ("change", "status", "delete"):
        response = user_client.get(reverse("extmail:select"),
                                   {"pk": str(linkage.pk), "action": action})
        assert response["Location"] == reverse(f"extmail:{action}", kwargs={"pk": linkage.pk})
    response = user_client.get(reverse("extmail:select"), {"action": "change"})
    assert response["Location"] == reverse("extmail:list")


def test_change_keeps_working_settings_until_new_ones_pass(
        user_client, linked, mail_peers, task_queue, django_capture_on_commit_callbacks):
    dovecot, smtp = mail_peers
    linkage = linked()
    url = reverse("extmail:change", kwargs={"pk": linkage.pk})
    html = user_client.get(url).content.decode()
    assert f'value="{linkage.mail_address}"' in html and "Secr3t" not in html
    # Move SMTP to a port where nothing listens: the password is not needed again (SMTP uses
    # the POP account), but the check will fail.
    dead = form_data(dovecot, smtp, pop_password="", smtp_server="localhost:1")
    confirm = user_client.post(url, dead)["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        user_client.post(confirm)
    assert run_queued(task_queue) == [CheckStatus.FAILED]
    linkage.refresh_from_db()
    assert linkage.state == LinkageState.OK and linkage.smtp_port == smtp.port  # still working
    status = user_client.get(reverse("extmail:status", kwargs={"pk": linkage.pk}))
    assert "接続を拒否されました" in status.content.decode()
    # Now a change that passes is applied.
    good = form_data(dovecot, smtp, pop_password="", smtp_server=f"127.0.0.1:{smtp.port}")
    confirm = user_client.post(url, good)["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        user_client.post(confirm)
    assert run_queued(task_queue) == [CheckStatus.OK]
    linkage.refresh_from_db()
    assert (linkage.smtp_host, linkage.smtp_port) == ("127.0.0.1", smtp.port)
    assert linkage.get_secret("pop_password") == "Secr3t pass "  # the stored one was kept


def test_status_page_and_recheck(user_client, linked, task_queue,
                                 django_capture_on_commit_callbacks):
    linkage = linked()
    url = reverse("extmail:status", kwargs={"pk": linkage.pk})
    html = user_client.get(url).content.decode()
    assert "成功" in html and "接続確認の詳細" not in html  # steps are for 責任者 only
    with django_capture_on_commit_callbacks(execute=True):
        response = user_client.post(reverse("extmail:recheck", kwargs={"pk": linkage.pk}))
    assert "/check/" in response["Location"]
    assert run_queued(task_queue) == [CheckStatus.OK]


def test_delete_says_what_is_lost_and_removes_the_mailbox(user_client, linked):
    linkage = linked()
    mailbox = Path(linkage.mailbox.path)
    assert mailbox.is_dir()
    url = reverse("extmail:delete", kwargs={"pk": linkage.pk})
    html = user_client.get(url).content.decode()
    assert "すべてのメール" in html
    response = user_client.post(url)
    assert response.status_code == 302
    assert not Linkage.objects.filter(pk=linkage.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_deleted_mailbox_directory_is_gone(client, mail_peers, settings, task_queue):
    dovecot, smtp = mail_peers
    user = User.objects.create_user("solo", "box-pass-123")
    client.force_login(user)
    confirm = client.post(ADD_URL, form_data(dovecot, smtp))["Location"]
    client.post(confirm)
    run_queued(task_queue)
    linkage = Linkage.objects.get()
    mailbox = Path(linkage.mailbox.path)
    (mailbox / "new" / "1.mail").write_text("Subject: x\n\nhello\n")
    client.post(reverse("extmail:delete", kwargs={"pk": linkage.pk}))
    assert not mailbox.exists()


def test_primary_cannot_be_deleted_while_others_exist(user_client, linked):
    first = linked()
    second = linked(mail_address="second@provider.example")
    assert first.is_primary and not Linkage.objects.get(pk=second.pk).is_primary
    url = reverse("extmail:delete", kwargs={"pk": first.pk})
    html = user_client.get(url).content.decode()
    assert reverse("extmail:mainaddress") in html
    assert user_client.post(url).status_code == 409
    assert Linkage.objects.filter(pk=first.pk).exists()
    # Pick the other one as primary; then the first can go.
    response = user_client.post(reverse("extmail:mainaddress"), {"linkage": str(second.pk)})
    assert response.status_code == 302
    assert Linkage.objects.get(pk=second.pk).is_primary
    assert not Linkage.objects.get(pk=first.pk).is_primary
    assert user_client.post(url).status_code == 302
    # The last linkage, even primary, can be deleted.
    last = reverse("extmail:delete", kwargs={"pk": second.pk})
    assert user_client.post(last).status_code == 302
    assert not Linkage.objects.exists()


def test_only_checked_linkages_can_be_primary(user_client, linked):
    linked()
    bad = linked(mail_address="bad@provider.example", pop_password="wrong")
    response = user_client.post(reverse("extmail:mainaddress"), {"linkage": str(bad.pk)})
    assert response.status_code == 200
    assert not Linkage.objects.get(pk=bad.pk).is_primary


def test_mail_client_settings_underline_the_primary(user_client, linked, settings):
    first = linked()
    linked(mail_address="second@provider.example")
    html = user_client.get(reverse("extmail:mailclient")).content.decode()
    assert f'<span class="mailbox-default">{first.mail_address}</span>' in html
    assert settings.BEATBOX_HOSTNAME in html
    assert html.count("mailbox-default") == 1  # only the primary one is underlined


# --- 責任者 pages --------------------------------------------------------------------------

@pytest.fixture
def boss_client(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def test_admin_manages_any_users_linkages(boss_client, admin_user, user, linked):
    linkage = linked(client=boss_client, admin_for=user)
    assert linkage.owner == user and linkage.state == LinkageState.OK
    for name in ("list", "mailclient", "mainaddress"):
        url = reverse(f"extmail_admin:{name}", kwargs={"user_pk": user.pk})
        response = boss_client.get(url)
        assert response.status_code == 200 and linkage.mail_address in response.content.decode()
    status = boss_client.get(reverse("extmail_admin:status",
                                     kwargs={"user_pk": user.pk, "pk": linkage.pk}))
    assert "接続確認の詳細" in status.content.decode()
    entry = AuditEntry.objects.filter(action="linkage.add").get()
    assert (entry.actor_login, entry.subject_login) == ("boss", "taro")


def test_admin_urls_are_404_for_ordinary_users(user_client, user, other_user):
    for name in ("list", "add", "mailclient", "mainaddress"):
        url = reverse(f"extmail_admin:{name}", kwargs={"user_pk": other_user.pk})
        assert user_client.get(url).status_code == 404, url
    for name in ("users", "user-add", "audit"):
        assert user_client.get(reverse(f"manage:{name}")).status_code == 404
    assert user_client.get(reverse("manage:user-edit", kwargs={"user_pk": user.pk})
                           ).status_code == 404


def test_every_linkage_url_is_404_for_another_user(client, user, other_user, linked):
    linkage = linked()
    check = linkage.checks.first()
    client.force_login(other_user)
    urls = [reverse(f"extmail:{n}", kwargs={"pk": linkage.pk})
            for n in ("change", "status", "delete")]
    for name in ("fetch", "only-new"):  # the receiving buttons (POST only)
        assert client.post(reverse(f"extmail:{name}", kwargs={"pk": linkage.pk})
                           ).status_code == 404
    urls.append(reverse("extmail:check", kwargs={"pk": linkage.pk, "check_pk": check.pk}))
    for url in urls:
        assert client.get(url).status_code == 404, url
    for name in ("recheck", "delete", "change"):
        assert client.post(reverse(f"extmail:{name}", kwargs={"pk": linkage.pk})
                           ).status_code == 404
    assert client.post(reverse("extmail:mainaddress"), {"linkage": str(linkage.pk)}
                       ).status_code == 200  # not among this user's choices
    assert not Linkage.objects.get(pk=linkage.pk).owner == other_user
    assert client.get(reverse("extmail:select"), {"pk": str(linkage.pk), "action": "change"}
                      ).status_code == 404
    assert client.get(reverse("extmail:change", kwargs={"pk": uuid.uuid4()})).status_code == 404


def test_user_management_rules(boss_client, admin_user, user):
    response = boss_client.post(reverse("manage:user-add"), {
        "login": "jiro", "name": "次郎", "furigana": "じろう", "email": "jiro@example.co.jp",
        "password1": "Very-long-pass-1", "password2": "Very-long-pass-1", "is_admin": "on"})
    assert response.status_code == 302
    jiro = User.objects.get(login="jiro")
    assert jiro.is_admin and jiro.is_superuser and jiro.check_password("Very-long-pass-1")
    # The login ID is fixed: the edit form has no such field.
    edit = reverse("manage:user-edit", kwargs={"user_pk": jiro.pk})
    assert 'name="login"' not in boss_client.get(edit).content.decode()
    # Nobody removes their own 責任者 role.
    own = reverse("manage:user-edit", kwargs={"user_pk": admin_user.pk})
    response = boss_client.post(own, {"name": "x", "is_admin": ""})
    assert response.status_code == 200 and "ご自身" in response.content.decode()
    assert User.objects.get(pk=admin_user.pk).is_admin
    # Another 責任者 can be demoted while one remains.
    assert boss_client.post(edit, {"name": "次郎"}).status_code == 302
    assert not User.objects.get(pk=jiro.pk).is_admin
    # Nobody deletes themselves; deleting another user works.
    own_delete = reverse("manage:user-delete", kwargs={"user_pk": admin_user.pk})
    assert boss_client.post(own_delete).status_code == 409
    assert boss_client.post(reverse("manage:user-delete", kwargs={"user_pk": jiro.pk})
                            ).status_code == 302
    assert not User.objects.filter(login="jiro").exists()
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert {"user.add", "user.change", "user.delete"} <= set(actions)


def test_last_administrator_remains(db):
    from beatbox import services

    boss = User.objects.create_superuser("boss", "box-pass-789")
    other = User.objects.create_superuser("chief", "box-pass-789")
    services.update_user(actor=other, user=boss, name="", furigana="", email="",
                         is_admin=False)
    with pytest.raises(services.UserRuleError, match="1人"):
        services.update_user(actor=boss, user=other, name="", furigana="", email="",
                             is_admin=False)
    with pytest.raises(services.UserRuleError):
        services.delete_user(actor=boss, user=other)
    assert User.objects.get(pk=other.pk).is_admin


def test_audit_log_page(boss_client, user, linked):
    linked()
    html = boss_client.get(reverse("manage:audit")).content.decode()
    assert "linkage.add" in html and "taro" in html
    assert "Secr3t" not in html


# --- the Django admin site ----------------------------------------------------------------

def test_admin_site_is_for_administrators_only(user_client, boss_client):
    assert user_client.get("/admin/").status_code == 302  # to the admin login
    assert boss_client.get("/admin/").status_code == 200


def test_admin_site_linkage_page_passwords_write_only(
        boss_client, linked, task_queue, django_capture_on_commit_callbacks):
    linkage = linked()
    url = reverse("admin:extmail_linkage_change", args=[linkage.pk])
    html = boss_client.get(url).content.decode()
    assert "に設定済み" in html and "Secr3t" not in html
    assert 'name="new_pop_password"' in html
    assert 'name="pop_host"' not in html  # settings are changed on the 変更 screen
    with django_capture_on_commit_callbacks(execute=True):
        response = boss_client.post(url, {"new_pop_password": "wrong-new", "_save": "1"})
    assert response.status_code == 302
    assert run_queued(task_queue) == [CheckStatus.FAILED]
    linkage.refresh_from_db()
    # A new password that fails its check is not put in force.
    assert linkage.get_secret("pop_password") == "Secr3t pass "
    assert linkage.state == LinkageState.OK
    changelist = reverse("admin:extmail_linkage_changelist")
    assert boss_client.get(changelist, {"q": "taro"}).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        boss_client.post(changelist, {"action": "run_check", "_selected_action": [linkage.pk]})
    assert run_queued(task_queue) == [CheckStatus.OK]


def test_admin_site_keeps_the_last_administrator(boss_client, admin_user):
    url = reverse("admin:beatbox_user_change", args=[admin_user.pk])
    response = boss_client.post(url, {"login": "boss", "name": "x", "is_active": "on"})
    assert response.status_code == 200  # refused with a message, not saved
    assert User.objects.get(pk=admin_user.pk).is_admin


def test_state_changes_need_csrf(user, linked):
    linkage = linked()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    for url in (reverse("extmail:delete", kwargs={"pk": linkage.pk}),
                reverse("extmail:recheck", kwargs={"pk": linkage.pk}),
                reverse("extmail:mainaddress")):
        assert client.post(url).status_code == 403, url
    assert Linkage.objects.filter(pk=linkage.pk).exists()


def test_failed_change_and_abandoned_drafts_keep_no_password(
        user_client, linked, mail_peers, task_queue, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from extmail import services
    from extmail.models import LinkageDraft

    dovecot, smtp = mail_peers
    linkage = linked()
    url = reverse("extmail:change", kwargs={"pk": linkage.pk})
    confirm = user_client.post(url, form_data(dovecot, smtp, pop_password="typo-pw"))["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        user_client.post(confirm)
    assert run_queued(task_queue) == [CheckStatus.FAILED]
    assert all(not d.pop_password_enc for d in LinkageDraft.objects.all())
    # A draft left on the confirmation screen is gone after a day, password and all.
    user_client.post(ADD_URL, form_data(mail_address="left@provider.example"))
    LinkageDraft.objects.update(created_at=timezone.now() - timedelta(days=2))
    assert services.purge_stale_drafts() >= 1
    assert not LinkageDraft.objects.filter(mail_address="left@provider.example").exists()
