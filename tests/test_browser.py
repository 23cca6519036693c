"""The add flow in a real browser (Debian's chromium via Playwright) against the real stack:
gunicorn + the task worker, checking a private Dovecot and an aiosmtpd server."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.stack import ROOT, start_stack

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

SUCCESS = "beat-boxと外部メールボックスの連係を確認できました。"


@pytest.fixture
def browser_page(tmp_path):
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is not installed (make test installs it)")
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        context = browser.new_context(locale="ja-JP", viewport={"width": 1100, "height": 900})
        page = context.new_page()
        page.set_default_timeout(20_000)
        yield page
        context.close()
        browser.close()


@pytest.fixture
def stack(dovecot):
    stack = start_stack({"BEATBOX_PROBE_ALLOWED_NETWORKS": "127.0.0.0/8",
                         "BEATBOX_PROBE_CAFILE": dovecot.certs.cafile,
                         "BEATBOX_PROBE_DEADLINE": "20"})
    yield stack
    stack.stop()


def shot(page, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    # Also kept in the (git-ignored) work tree so a person can look at them after a run.
    keep = ROOT / "test-artifacts" / "screenshots"
    keep.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, keep / path.name)


def test_add_linkage_end_to_end(browser_page, stack, dovecot, smtp_server, tmp_path):
    page = browser_page
    smtp = smtp_server({"taro": "Secr3t pass "}, certs=dovecot.certs, starttls=True)

    page.goto(stack.url + "/beatman/")
    assert "/beatman/login/" in page.url
    page.fill("#id_username", "boss")
    page.fill("#id_password", "Boss-pass-123")
    shot(page, tmp_path, "01-login")
    page.click("button[type=submit]")
    # The documented menu path: [設定] › [自身の設定] › [外部メール連係追加].
    assert page.get_by_text("自身の設定").is_visible()
    shot(page, tmp_path, "02-top")
    page.get_by_role("link", name="外部メール連係追加").click()
    assert page.url.endswith("/beatman/setting/self/extmail/addmail.jsp")

    # The outgoing server's own account is asked for only with 認証方式 = 指定する.
    assert not page.locator("#id_smtp_account").is_visible()
    page.get_by_label("指定する").check()
    assert page.locator("#id_smtp_account").is_visible()
    page.get_by_label("認証なし または 標準設定を用いて認証").check()
    assert not page.locator("#id_smtp_password").is_visible()

    # A mistake first: the message appears next to the field, the password box is blank.
    page.fill("#id_mail_address", "taro@example.co.jp")
    page.fill("#id_pop_server", f"localhost:{dovecot.pop3}0")
    page.fill("#id_pop_account", "taro")
    page.fill("#id_pop_password", "Secr3t pass ")
    page.fill("#id_smtp_server", f"localhost:{smtp.port}")
    page.get_by_role("button", name="設定").click()
    error = page.locator("#div_id_pop_server .invalid-feedback")
    assert "65535" in error.inner_text()
    assert page.input_value("#id_pop_password") == ""
    shot(page, tmp_path, "03-form-error")

    page.fill("#id_pop_server", f"ｌｏｃａｌｈｏｓｔ：{dovecot.pop3}")  # full-width on purpose
    page.fill("#id_pop_password", "Secr3t pass ")
    shot(page, tmp_path, "04-form-filled")
    page.get_by_role("button", name="設定").click()

    assert page.get_by_text("設定内容の確認").first.is_visible()
    assert "******" in page.content() and "Secr3t" not in page.content()
    assert f"localhost:{dovecot.pop3}" in page.content()
    shot(page, tmp_path, "05-confirm")
    page.get_by_role("button", name="接続確認を開始").click()

    page.get_by_text(SUCCESS).wait_for(timeout=60_000)
    shot(page, tmp_path, "06-success")
    page.get_by_role("link", name="メールクライアント設定").click()
    assert page.url.endswith("/beatman/setting/self/mailclient/")
    assert page.locator(".mailbox-default", has_text="taro@example.co.jp").is_visible()
    shot(page, tmp_path, "07-mailclient")
    assert smtp.handler.data_received == 0
    # The local mailbox exists now, inside the box's data dir.
    assert list((stack.data_dir / "mailboxes").glob("*/new"))


def test_failed_check_in_browser(browser_page, stack, dovecot, smtp_server, tmp_path):
    page = browser_page
    smtp = smtp_server({"taro": "Secr3t pass "}, certs=dovecot.certs, starttls=True)
    page.goto(stack.url + "/beatman/setting/self/extmail/addmail.jsp")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "Boss-pass-123")
    page.click("button[type=submit]")
    page.fill("#id_mail_address", "taro@provider.example")
    page.fill("#id_pop_server", f"localhost:{dovecot.imap}")  # an IMAP port by mistake
    page.fill("#id_pop_account", "taro")
    page.fill("#id_pop_password", "Secr3t pass ")
    page.fill("#id_smtp_server", f"localhost:{smtp.port}")
    page.get_by_role("button", name="設定").click()
    page.get_by_role("button", name="接続確認を開始").click()
    page.get_by_text("IMAPサーバーを指定することはできません。").wait_for(timeout=60_000)
    shot(page, tmp_path, "08-failed")
    page.get_by_role("link", name="設定を修正する").click()
    assert page.input_value("#id_pop_server") == f"localhost:{dovecot.imap}"
    assert page.input_value("#id_pop_password") == ""
    page.fill("#id_pop_server", f"localhost:{dovecot.pop3}")
    page.fill("#id_pop_password", "Secr3t pass ")
    page.get_by_role("button", name="設定").click()
    page.get_by_role("button", name="接続確認を開始").click()
    page.get_by_text(SUCCESS).wait_for(timeout=60_000)
    shot(page, tmp_path, "09-fixed")


def _login(page, stack, path="/beatman/"):
    page.goto(stack.url + path)
    page.fill("#id_username", "boss")
    page.fill("#id_password", "Boss-pass-123")
    page.click("button[type=submit]")


def _add(page, stack, *, address, pop_port, account, password, smtp_port, pop_ssl=False):
    page.goto(stack.url + "/beatman/setting/self/extmail/addmail.jsp")
    page.fill("#id_mail_address", address)
    page.fill("#id_pop_server", f"localhost:{pop_port}")
    if pop_ssl:
        page.locator("#id_pop_ssl_1").check()
    page.fill("#id_pop_account", account)
    page.fill("#id_pop_password", password)
    page.fill("#id_smtp_server", f"localhost:{smtp_port}")
    page.get_by_role("button", name="設定").click()
    page.get_by_role("button", name="接続確認を開始").click()
    page.get_by_text(SUCCESS).wait_for(timeout=60_000)


def test_change_primary_and_delete_in_browser(browser_page, stack, dovecot, smtp_server,
                                              tmp_path):
    from tests.peers import TEST_USERS

    page = browser_page
    users = dict(TEST_USERS)
    old_smtp = smtp_server(users, certs=dovecot.certs, starttls=True)
    new_smtp = smtp_server(users, certs=dovecot.certs, implicit_tls=True)
    _login(page, stack)
    _add(page, stack, address="taro@example.co.jp", pop_port=dovecot.pop3, account="taro",
         password=users["taro"], smtp_port=old_smtp.port)
    _add(page, stack, address="hanako@provider.example", pop_port=dovecot.pop3s,
         account="hanako", password=users["hanako"], smtp_port=old_smtp.port, pop_ssl=True)

    # 変更: select the first linkage → [変更] → new SMTP server (SMTP over SSL) → check.
    page.goto(stack.url + "/beatman/setting/self/extmail/")
    shot(page, tmp_path, "10-list")
    page.get_by_label("taro@example.co.jp").check()
    page.get_by_role("button", name="変更").click()
    assert page.input_value("#id_mail_address") == "taro@example.co.jp"
    assert page.input_value("#id_pop_password") == ""
    page.fill("#id_smtp_server", f"localhost:{new_smtp.port}")
    page.locator("#id_smtp_ssl_1").check()
    shot(page, tmp_path, "11-change-form")
    page.get_by_role("button", name="設定").click()
    assert "(変更なし)" in page.content()  # the stored POP password is kept
    page.get_by_role("button", name="接続確認を開始").click()
    page.get_by_text(SUCCESS).wait_for(timeout=60_000)
    page.goto(stack.url + "/beatman/setting/self/extmail/")
    assert f"localhost:{new_smtp.port}" in page.content()

    # 主たるメールアドレス指定: the second linkage becomes primary.
    page.goto(stack.url + "/beatman/setting/self/mainaddress/")
    page.get_by_label("hanako@provider.example").check()
    page.get_by_role("button", name="指定").click()
    page.get_by_text("主たるメールアドレスを hanako@provider.example にしました。").wait_for()
    shot(page, tmp_path, "12-primary")

    # 削除 of the old primary, now allowed.
    page.goto(stack.url + "/beatman/setting/self/extmail/")
    page.get_by_label("taro@example.co.jp").check()
    page.get_by_role("button", name="削除").click()
    assert "すべてのメール" in page.content()
    shot(page, tmp_path, "13-delete-confirm")
    page.get_by_role("button", name="削除").click()
    page.get_by_text("taro@example.co.jp の外部メール連係を削除しました。").wait_for()
    shot(page, tmp_path, "14-after-delete")
    rows = page.locator("tbody tr")
    assert rows.count() == 1 and "hanako@provider.example" in rows.first.inner_text()
    assert old_smtp.handler.data_received == new_smtp.handler.data_received == 0


def test_bulk_registration_in_browser(browser_page, stack, dovecot, smtp_server, tmp_path):
    from tests.peers import TEST_USERS
    from tests.xlsx import book, linkage_row, user_row

    page = browser_page
    smtp = smtp_server(dict(TEST_USERS), certs=dovecot.certs, starttls=True)
    bad = book(users=[user_row("jiro"), user_row("jiro")],
               linkages=[linkage_row("jiro", "jiro@provider.example", pop="pop:99999")])
    good = book(users=[user_row("jiro"), user_row("hanako")],
                linkages=[linkage_row("jiro", "taro@provider.example",
                                      pop=f"localhost:{dovecot.pop3}", account="taro",
                                      password=TEST_USERS["taro"],
                                      smtp=f"localhost:{smtp.port}"),
                          linkage_row("hanako", "hanako@provider.example",
                                      pop=f"localhost:{dovecot.pop3}", account="hanako",
                                      password="wrong", smtp=f"localhost:{smtp.port}")])
    (tmp_path / "bad.xlsx").write_bytes(bad)
    (tmp_path / "good.xlsx").write_bytes(good)
    _login(page, stack)
    page.get_by_role("link", name="利用者情報一括登録").click()
    page.set_input_files("input[type=file]", str(tmp_path / "bad.xlsx"))
    page.get_by_role("button", name="ファイルを確認").click()
    problems = page.locator("#problems tbody tr")
    assert problems.count() >= 2
    assert "何も登録していません" in page.content()
    shot(page, tmp_path, "20-import-problems")
    page.set_input_files("input[type=file]", str(tmp_path / "good.xlsx"))
    page.get_by_role("button", name="ファイルを確認").click()
    page.get_by_text("問題は見つかりませんでした").wait_for()
    assert "Initial-Pass" not in page.content()
    shot(page, tmp_path, "21-import-preview")
    page.get_by_role("button", name="登録").click()
    page.locator("#count-waiting", has_text="0").wait_for(timeout=90_000)
    assert page.locator("#count-ok").inner_text() == "1"
    assert page.locator("#count-failed").inner_text() == "1"
    assert "hanako@provider.example" in page.content()  # a link to the failed check
    shot(page, tmp_path, "22-import-progress")


def test_receiving_in_browser(browser_page, dovecot, clamd, smtp_server, tmp_path):
    """状況確認 → 今すぐ受信: the real worker fetches from Dovecot through clamd."""
    from tests import peers

    stack = start_stack({"BEATBOX_PROBE_ALLOWED_NETWORKS": "127.0.0.0/8",
                         "BEATBOX_PROBE_CAFILE": dovecot.certs.cafile,
                         "BEATBOX_CLAMD": clamd.socket, "BEATBOX_FETCH_INTERVAL": "3600"})
    try:
        page = browser_page
        smtp = smtp_server(dict(peers.TEST_USERS), certs=dovecot.certs, starttls=True)
        dovecot.empty("fetcher2")
        dovecot.deliver("fetcher2", peers.make_message(1))
        dovecot.deliver("fetcher2", peers.make_message(2, virus=True))
        _login(page, stack)
        _add(page, stack, address="fetcher2@provider.example", pop_port=dovecot.pop3,
             account="fetcher2", password=peers.TEST_USERS["fetcher2"], smtp_port=smtp.port)
        page.goto(stack.url + "/beatman/setting/self/extmail/")
        page.get_by_label("fetcher2@provider.example").check()
        page.get_by_role("button", name="状況確認").click()
        page.get_by_role("button", name="今すぐ受信").click()
        for _ in range(60):
            if page.locator("#fetch-counts").inner_text().strip() == "1 / 1":
                break
            page.wait_for_timeout(500)
            page.reload()
        assert page.locator("#fetch-counts").inner_text().strip() == "1 / 1"
        assert page.locator("#fetch-quarantined").inner_text().strip() == "1"
        shot(page, tmp_path, "30-receiving")
        assert dovecot.message_count("fetcher2") == 0
        new = list((stack.data_dir / "mailboxes").glob("*/new/*"))
        assert len(new) == 1 and b"number 1." in new[0].read_bytes()
    finally:
        stack.stop()
