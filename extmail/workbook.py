"""Writing workbooks: the registration template and the export (never a password)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .importer import (
    INSTRUCTIONS_SHEET,
    LINKAGE_COLUMNS,
    LINKAGES_SHEET,
    USER_COLUMNS,
    USERS_SHEET,
    Column,
)

TEMPLATE_ROWS = 2000  # rows prepared with text format and dropdowns
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
# Characters that make a spreadsheet treat a cell as a formula (CSV/formula injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

INSTRUCTIONS = [
    "利用者情報一括登録のテンプレート",
    "",
    "「利用者」シート: 新しく登録する利用者を1行に1人ずつ入力します。",
    "「外部メール連係」シート: 外部メール連係を1行に1件ずつ入力します。ログインIDは、利用者シートの利用者か、"
    "すでに登録されている利用者のものにしてください。",
    "1行目の見出しは変更しないでください(見出しは項目名の英語表記でもかまいません)。",
    "アカウント名・パスワードの列は文字列の書式になっています。数式や日付は使えません。",
    "選択肢の列は一覧から選びます(0/1 でもかまいません)。",
    "アップロードすると、登録前にすべての行が確認され、問題があればシート・行・列ごとに表示されます。"
    "問題が1つでもあれば、何も登録されません。",
    "登録された外部メール連係は、順番に接続確認が行われます。",
]


def _choices_formula(column: Column) -> str:
    # Japanese labels, as the add screen shows them (codes are accepted too).
    labels = [k for k in column.choices if not k.isascii()] or list(column.choices)
    return '"' + ",".join(labels) + '"'


def _write_header(ws, columns: tuple[Column, ...]) -> None:
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True)
        cell.fill = HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(index)].width = max(14, len(column.header) * 2)
    ws.freeze_panes = "A2"


def _prepare_columns(ws, columns: tuple[Column, ...]) -> None:
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        cells = f"{letter}2:{letter}{TEMPLATE_ROWS + 1}"
        if column.kind == "choice":
            rule = DataValidation(type="list", formula1=_choices_formula(column),
                                  allow_blank=True, showErrorMessage=True)
            rule.add(cells)
            ws.add_data_validation(rule)
        else:
            # Text format, so Excel keeps "0123" and never turns an account into a number.
            for row in ws.iter_rows(min_row=2, max_row=TEMPLATE_ROWS + 1, min_col=index,
                                    max_col=index):
                row[0].number_format = "@"


def build_template() -> bytes:
    book = Workbook()
    info = book.active
    info.title = INSTRUCTIONS_SHEET
    for n, line in enumerate(INSTRUCTIONS, start=1):
        info.cell(row=n, column=1, value=line)
    info.column_dimensions["A"].width = 120
    for title, columns in ((USERS_SHEET, USER_COLUMNS), (LINKAGES_SHEET, LINKAGE_COLUMNS)):
        ws = book.create_sheet(title)
        _write_header(ws, columns)
        _prepare_columns(ws, columns)
    book.active = 1
    return _save(book)


def _safe(ws, row: int, column: int, value) -> None:
    """Write text exactly as text: a value that looks like a formula stays a string."""
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        cell.number_format = "@"
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True


def build_export(users, linkages) -> bytes:
    """Users and their linkages in the template's layout, passwords left empty."""
    book = Workbook()
    ws = book.active
    ws.title = USERS_SHEET
    _write_header(ws, USER_COLUMNS)
    for r, user in enumerate(users, start=2):
        values = [user.login, user.name, user.furigana, user.email, "",
                  "1" if user.is_admin else "0"]
        for c, value in enumerate(values, start=1):
            _safe(ws, r, c, value)
    ws = book.create_sheet(LINKAGES_SHEET)
    _write_header(ws, LINKAGE_COLUMNS)
    for r, lk in enumerate(linkages, start=2):
        values = [lk.owner.login, lk.mail_address, lk.pop_server, lk.pop_account, "",
                  lk.pop_auth, "1" if lk.leave_on_server else "0", "1" if lk.pop_ssl else "0",
                  lk.smtp_server, lk.smtp_auth, lk.smtp_account, "",
                  "1" if lk.smtp_ssl else "0"]
        for c, value in enumerate(values, start=1):
            _safe(ws, r, c, value)
    return _save(book)


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
