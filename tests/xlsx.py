"""Building test workbooks (real .xlsx files written by openpyxl, or raw zips for attacks)."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

from extmail.importer import LINKAGE_COLUMNS, LINKAGES_SHEET, USER_COLUMNS, USERS_SHEET

USER_HEAD = [c.header for c in USER_COLUMNS]
LINK_HEAD = [c.header for c in LINKAGE_COLUMNS]


def user_row(login: str, *, password: str = "Initial-Pass-123", admin: str = "0",
             name: str = "", email: str = "") -> list:
    return [login, name or f"{login} さん", "", email, password, admin]


def linkage_row(login: str, address: str, *, pop: str = "pop.provider.example",
                account: str | None = None, password: str = "Mail-pw 1", smtp: str =
                "smtp.provider.example:587", smtp_auth: str = "default",
                smtp_account: str = "", smtp_password: str = "", ssl: str = "0") -> list:
    return [login, address, pop, account if account is not None else address.split("@")[0],
            password, "auto", "0", ssl, smtp, smtp_auth, smtp_account, smtp_password, "0"]


def book(users: list[list] | None = None, linkages: list[list] | None = None, *,
         user_head: list | None = None, link_head: list | None = None, edit=None) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    if users is not None:
        ws = wb.create_sheet(USERS_SHEET)
        ws.append(user_head or USER_HEAD)
        for row in users:
            ws.append(row)
    if linkages is not None:
        ws = wb.create_sheet(LINKAGES_SHEET)
        ws.append(link_head or LINK_HEAD)
        for row in linkages:
            ws.append(row)
    if edit is not None:
        edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def replace_member(data: bytes, name: str, content: bytes) -> bytes:
    """The same workbook with one zip member replaced (to plant hostile XML)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, content if info.filename == name else src.read(info))
    return out.getvalue()
