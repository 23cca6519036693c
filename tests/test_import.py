"""利用者情報一括登録: template, upload, preview, all-or-nothing commit, checks, export."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from beatbox.models import AuditEntry, PendingPassword, User
from extmail import services
from extmail.importer import LINKAGES_SHEET, USERS_SHEET
from extmail.models import CheckStatus, ConnectionCheck, ImportBatch, Linkage
from tests.conftest import run_queued
from tests.xlsx import LINK_HEAD, book, linkage_row, replace_member, user_row

IMPORT_URL = "/beatman/setting/admin/import/"


@pytest.fixture
def boss(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def upload(client, data: bytes, name: str = "office.xlsx"):
    return client.post(IMPORT_URL, {"workbook": SimpleUploadedFile(name, data)})


def problems_of(response) -> list[tuple]:
    return [(p.sheet, p.row, p.column.split(" ")[0], p.message)
            for p in response.context["problems"]]


def nothing_stored(users_before: int) -> None:
    assert User.objects.count() == users_before
    assert not Linkage.objects.exists() and not ImportBatch.objects.exists()


# --- template -------------------------------------------------------------------------------

def test_template_download(boss):
    response = boss.get(reverse("manage:import-template"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["説明", USERS_SHEET, LINKAGES_SHEET]
    links = wb[LINKAGES_SHEET]
    assert [c.value for c in links[1]] == LINK_HEAD
    rules = {str(dv.sqref): dv.formula1 for dv in links.data_validations.dataValidation}
    assert any("残さない,残す" in f for f in rules.values())  # in-cell dropdowns
    assert links["D2"].number_format == "@" and links["E2"].number_format == "@"  # text
    assert wb[USERS_SHEET]["E2"].number_format == "@"


def test_non_admins_cannot_reach_import(user_client):
    assert user_client.get(IMPORT_URL).status_code == 404
    assert user_client.get(reverse("manage:import-template")).status_code == 404


# --- the happy path -------------------------------------------------------------------------

def test_preview_commit_login_and_checks(boss, admin_user, mail_peers, task_queue,
                                         django_capture_on_commit_callbacks, settings):
    dovecot, smtp = mail_peers
    data = book(
        users=[user_row("jiro"), user_row("saburo", admin="はい")],
        linkages=[linkage_row("jiro", "taro@provider.example", pop=f"localhost:{dovecot.pop3}",
                              account="taro", password="Secr3t pass ",
                              smtp=f"localhost:{smtp.port}"),
                  linkage_row("saburo", "bad@provider.example", pop=f"localhost:{dovecot.pop3}",
                              account="taro", password="wrong", smtp=f"localhost:{smtp.port}"),
                  linkage_row("boss", "boss@provider.example")])
    response = upload(boss, data)
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("manage:import-preview", kwargs={"pk": batch.pk})
    html = boss.get(response["Location"]).content.decode()
    assert "Secr3t" not in html and "Initial-Pass" not in html and "******" in html
    assert not User.objects.filter(login="jiro").exists()  # nothing registered yet
    with django_capture_on_commit_callbacks(execute=True):
        response = boss.post(reverse("manage:import-commit", kwargs={"pk": batch.pk}))
        again = boss.post(reverse("manage:import-commit", kwargs={"pk": batch.pk}))
    assert response["Location"] == again["Location"]  # a double click registers once
    assert User.objects.filter(login__in=["jiro", "saburo"]).count() == 2
    assert User.objects.get(login="saburo").is_admin
    assert Linkage.objects.count() == 3 and ConnectionCheck.objects.count() == 0
    batch.refresh_from_db()
    assert batch.payload == {}  # the encrypted rows are gone once registered
    entry = AuditEntry.objects.get(action="import.commit")
    assert entry.details["sha256"] == batch.file_sha256
    assert (entry.details["users"], entry.details["linkages"]) == (2, 3)
    html = boss.get(reverse("manage:import-progress", kwargs={"pk": batch.pk})).content
    assert b'id="count-waiting">3<' in html and b'http-equiv="refresh"' in html
    # Imported users can log in before their password has been hashed...
    jiro = User.objects.get(login="jiro")
    assert not jiro.has_usable_password() and PendingPassword.objects.count() == 2
    client = Client()
    assert client.post(reverse("login"), {"username": "jiro", "password": "Initial-Pass-123"}
                       ).status_code == 302
    jiro.refresh_from_db()
    assert jiro.check_password("Initial-Pass-123")
    assert not PendingPassword.objects.filter(user=jiro).exists()
    assert Client().post(reverse("login"), {"username": "saburo", "password": "wrong"}
                         ).status_code == 200
    # ... and the worker hashes the rest, and checks the linkages a chunk at a time, the
    # next chunk queued for a little later (never every provider at once).
    settings.BEATBOX_IMPORT_CHECK_CHUNK = 2
    names = sorted(r.task.name for r in task_queue.results)
    assert names == ["check_imported_linkages", "hash_imported_passwords"]
    run_queued(task_queue)
    assert not PendingPassword.objects.exists()
    assert User.objects.get(login="saburo").check_password("Initial-Pass-123")
    assert ConnectionCheck.objects.count() == 2
    [later] = task_queue.results
    assert later.task.name == "check_imported_linkages" and later.task.run_after is not None
    run_queued(task_queue)
    assert ConnectionCheck.objects.count() == 3 and not task_queue.results
    progress = boss.get(reverse("manage:import-progress", kwargs={"pk": batch.pk}))
    html = progress.content.decode()
    statuses = dict(ConnectionCheck.objects.values_list("linkage__mail_address", "status"))
    assert statuses["taro@provider.example"] == CheckStatus.OK
    assert statuses["bad@provider.example"] == CheckStatus.FAILED
    assert "bad@provider.example" in html  # a link to each failure


def test_field_name_headers_and_linkages_only(boss, admin_user):
    data = book(linkages=[linkage_row("boss", "x@provider.example")],
                link_head=[h for h in ["login", "mail_address", "pop_server", "pop_account",
                                       "pop_password", "pop_auth", "leave_on_server",
                                       "pop_ssl", "smtp_server", "smtp_auth", "smtp_account",
                                       "smtp_password", "smtp_ssl"]])
    plan, batch = services.preview_import(actor=admin_user, data=data)
    assert plan.ok and batch.linkage_count == 1 and batch.user_count == 0


# --- every problem, by sheet, row and column -----------------------------------------------

def test_problems_are_listed_and_nothing_is_stored(boss, admin_user, user):
    def edit(wb):
        ws = wb[LINKAGES_SHEET]
        ws["D3"] = 123  # an account saved as a number
        ws["C4"] = "=CONCAT(\"pop\",\".x.jp\")"  # a formula
        ws.row_dimensions[5].hidden = True
        wb[USERS_SHEET]["B3"] = "two\nlines"

    data = book(
        users=[user_row("jiro"), user_row("taro"), user_row("jiro", password="x")],
        linkages=[linkage_row("jiro", "a@provider.example"),
                  linkage_row("jiro", "b@provider.example"),
                  linkage_row("jiro", "c@provider.example"),
                  linkage_row("jiro", "d@provider.example"),
                  linkage_row("nobody", "e@provider.example"),
                  linkage_row("jiro", "A@provider.example"),
                  linkage_row("jiro", "f@provider.example", pop="pop.x.jp:70000"),
                  linkage_row("jiro", "g@example.co.jp"),
                  linkage_row("jiro", "h@example.co.jp"),
                  linkage_row("jiro", "i@provider.example", smtp_auth="指定する")],
        edit=edit)
    before = User.objects.count()
    response = upload(boss, data)
    assert response.status_code == 422
    found = problems_of(response)
    where = {(s, r, c) for s, r, c, _ in found}
    assert (USERS_SHEET, 3, "B") in where  # line break
    assert (USERS_SHEET, 3, "A") in where  # taro exists already
    assert (USERS_SHEET, 4, "A") in where  # jiro twice in the file
    assert (USERS_SHEET, 4, "E") in where  # too short a password
    assert (LINKAGES_SHEET, 3, "D") in where  # number instead of text
    assert (LINKAGES_SHEET, 4, "C") in where  # formula
    assert (LINKAGES_SHEET, 5, "") in where  # hidden row
    assert (LINKAGES_SHEET, 6, "A") in where  # unknown login
    assert (LINKAGES_SHEET, 7, "B") in where  # same address as row 2 (case-insensitive)
    assert (LINKAGES_SHEET, 8, "C") in where  # port out of range
    assert (LINKAGES_SHEET, 10, "B") in where  # second customer-domain address
    assert {(LINKAGES_SHEET, 11, "K"), (LINKAGES_SHEET, 11, "L")} <= where  # custom: needed
    assert (LINKAGES_SHEET, 2, "B") not in where and (LINKAGES_SHEET, 9, "B") not in where
    messages = " ".join(m for *_, m in found)
    assert "数値" in messages and "数式" in messages and "非表示" in messages
    assert "Mail-pw" not in response.content.decode()
    nothing_stored(before)


@pytest.mark.parametrize("data, words", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, ".xls"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le") + b"\0" * 99,
     "パスワード"),
    ("ログインID,メールアドレス\nboss,x@provider.example\n".encode(), "CSV"),
    (b"PK\x03\x04 this is not really a zip", "壊れて"),
])
def test_unusable_files_get_a_clear_message(boss, data, words):
    response = upload(boss, data)
    assert response.status_code == 200
    assert words in response.context["file_error"]
    assert not ImportBatch.objects.exists()


def test_entity_expansion_is_refused(boss):
    data = book(users=[user_row("jiro")])
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row>'
            b'</sheetData></worksheet>')
    response = upload(boss, replace_member(data, "xl/worksheets/sheet1.xml", bomb))
    assert "XML" in response.context["file_error"]


def test_zip_bomb_is_refused_before_parsing(boss):
    data = book(users=[user_row("jiro")])
    zeros = b"\0" * (60 * 1024 * 1024)
    response = upload(boss, replace_member(data, "xl/worksheets/sheet1.xml", zeros))
    assert "zip" in response.context["file_error"]


def test_lying_dimension_cannot_hide_rows(admin_user, settings):
    """200,000 rows behind a dimension that claims A1:M2: rows are counted, not trusted."""
    settings.BEATBOX_IMPORT_MAX_ROWS = 20_000
    data = book(linkages=[linkage_row("boss", "x@provider.example")])
    src = zipfile.ZipFile(io.BytesIO(data))
    sheet = src.read("xl/worksheets/sheet1.xml").decode()
    head, _, tail = sheet.partition("<sheetData>")
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>boss</t></is></c></row>'
                   for n in range(3, 200_003))
    sheet = head + "<sheetData>" + tail.replace("</sheetData>", rows + "</sheetData>")
    assert re.search(r'<dimension ref="A1:M2"\s*/>', sheet)  # the lie: two rows
    plan, batch = services.preview_import(
        actor=admin_user, data=replace_member(data, "xl/worksheets/sheet1.xml",
                                              sheet.encode()))
    assert batch is None
    assert any("20000" in p.message and p.row == 20_002 for p in plan.problems)


def test_too_large_upload_is_refused_without_a_temporary_file(boss, settings):
    assert settings.FILE_UPLOAD_HANDLERS == [
        "django.core.files.uploadhandler.MemoryFileUploadHandler"]
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = upload(boss, book(users=[user_row("jiro")]))
    assert "20MB" in response.context["file_error"]


def test_database_error_midway_stores_nothing(admin_user, monkeypatch):
    data = book(users=[user_row(f"user{n}") for n in range(5)],
                linkages=[linkage_row(f"user{n}", f"u{n}@provider.example") for n in range(5)])
    plan, batch = services.preview_import(actor=admin_user, data=data)
    assert plan.ok
    real = Linkage.objects.bulk_create

    def failing(objs, **kwargs):  # the 3rd linkage row breaks in the database
        real(objs[:2], **kwargs)
        raise IntegrityError("injected failure at row 4")

    monkeypatch.setattr(Linkage.objects, "bulk_create", failing)
    before = User.objects.count()
    with pytest.raises(IntegrityError):
        services.commit_import(actor=admin_user, batch_pk=batch.pk)
    assert User.objects.count() == before and not Linkage.objects.exists()
    assert not PendingPassword.objects.exists() and not AuditEntry.objects.exists()
    batch.refresh_from_db()
    assert batch.status == "previewed"  # it can be committed again once fixed


# --- export, command line, other programs' files -------------------------------------------

def test_export_is_formula_safe_and_has_no_passwords(boss, admin_user, user):
    user.name = '=HYPERLINK("http://evil.example","x")'
    user.save()
    link = Linkage(owner=user, mail_address="t@provider.example", pop_host="pop.x.jp",
                   pop_port=110, pop_account="@SUM(1)", smtp_host="smtp.x.jp", smtp_port=25)
    link.set_secret("pop_password", "Export-Secret-1")
    link.save()
    response = boss.get(reverse("manage:import-export"))
    assert b"Export-Secret-1" not in response.content
    wb = load_workbook(io.BytesIO(response.content))
    row = next(r for r in wb[USERS_SHEET].iter_rows(min_row=2) if r[0].value == "taro")
    assert row[1].value == user.name and row[1].data_type == "s" and row[1].quotePrefix
    linked = list(wb[LINKAGES_SHEET].iter_rows(min_row=2))[0]
    assert linked[3].value == "@SUM(1)" and linked[3].data_type == "s"
    assert linked[4].value is None  # password column left empty
    # An exported workbook can be read back with the importer (round trip of the layout).
    from extmail.importer import read_workbook

    read = read_workbook(response.content)
    assert {p.message for p in read.problems} == set()


def test_command_line_dry_run_and_commit(admin_user, tmp_path, capsys):
    path = tmp_path / "office.xlsx"
    path.write_bytes(book(users=[user_row("jiro")],
                          linkages=[linkage_row("jiro", "j@provider.example")]))
    call_command("import_workbook", str(path), "--dry-run")
    assert "Dry run" in capsys.readouterr().out
    assert not User.objects.filter(login="jiro").exists()
    call_command("import_workbook", str(path))
    assert User.objects.filter(login="jiro").exists()
    assert Linkage.objects.filter(mail_address="j@provider.example").exists()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(book(users=[user_row("jiro")]))
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="nothing was registered"):
        call_command("import_workbook", str(bad))
    assert "すでに使われています" in capsys.readouterr().out


LIBREOFFICE = shutil.which("libreoffice") or shutil.which("soffice")


@pytest.mark.skipif(LIBREOFFICE is None, reason="LibreOffice is installed by make test")
@pytest.mark.timeout(180)
def test_workbook_saved_by_libreoffice(admin_user, tmp_path):
    """A sheet LibreOffice wrote from CSV: we read files we did not write. LibreOffice turns
    the account 0123 into the number 123 — exactly what must be reported, not guessed."""
    csv = tmp_path / f"{LINKAGES_SHEET}.csv"
    rows = [",".join(LINK_HEAD),
            ",".join(["boss", "lo@provider.example", "pop.provider.example", "lo-account",
                      "pw-1", "auto", "0", "0", "smtp.provider.example", "default", "", "",
                      "0"]),
            ",".join(["boss", "num@provider.example", "pop.provider.example", "0123",
                      "pw-2", "auto", "0", "0", "smtp.provider.example", "default", "", "",
                      "0"])]
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    subprocess.run([LIBREOFFICE, "--headless", "--norestore",
                    f"-env:UserInstallation=file://{tmp_path}/lo-profile",
                    "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir",
                    str(tmp_path), str(csv)], check=True, capture_output=True, timeout=150)
    data = Path(tmp_path / f"{LINKAGES_SHEET}.xlsx").read_bytes()
    plan, batch = services.preview_import(actor=admin_user, data=data)
    assert batch is None
    assert [(p.row, p.column.split(" ")[0]) for p in plan.problems] == [(3, "D")]
    assert "数値" in plan.problems[0].message


def test_system_check_requires_defusedxml(monkeypatch):
    import openpyxl

    from extmail.checks import safe_xml

    assert safe_xml(None) == []
    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    assert [e.id for e in safe_xml(None)] == ["extmail.E002"]
