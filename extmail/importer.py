"""Reading a bulk-registration workbook (利用者情報一括登録) safely.

The upload is checked as bytes before any XML is parsed (type, size, zip-bomb ratios), then
read in one streaming pass with openpyxl's own sheet parser (defusedxml active), never trusting
the sheet's declared dimension. Every doubtful cell is reported, never guessed: formulas, numbers
or dates where text is needed, line breaks, over-long values, hidden rows and sheets.

No models here: the result is plain data that import_plan.py validates and services.py stores.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._reader import WorkSheetParser

USERS_SHEET = "利用者"
LINKAGES_SHEET = "外部メール連係"
INSTRUCTIONS_SHEET = "説明"


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * 1024 * 1024  # the upload itself
    max_unzipped: int = 200 * 1024 * 1024  # all members together, uncompressed
    max_ratio: int = 100  # uncompressed / compressed, for members over 1 MiB
    max_members: int = 300
    max_rows: int = 20_000  # per sheet, data rows
    max_columns: int = 40
    max_cell: int = 1_000  # characters


@dataclass(frozen=True)
class Column:
    name: str  # the field name (DESIGN §6 for linkages)
    header: str  # the Japanese header
    kind: str = "text"  # "text", "secret" (never echoed), or "choice"
    choices: dict[str, str] = field(default_factory=dict)  # accepted spellings → value
    required: bool = False


YES_NO = {"0": "0", "1": "1", "いいえ": "0", "はい": "1", "false": "0", "true": "1"}
USER_COLUMNS = (
    Column("login", "ログインID", required=True),
    Column("name", "氏名"),
    Column("furigana", "ふりがな"),
    Column("email", "メールアドレス"),
    Column("password", "パスワード", kind="secret"),
    Column("is_admin", "責任者", kind="choice", choices=YES_NO),
)
LINKAGE_COLUMNS = (
    Column("login", "ログインID", required=True),
    Column("mail_address", "メールアドレス", required=True),
    Column("pop_server", "受信サーバー ホスト名(IPアドレス)", required=True),
    Column("pop_account", "メールボックスのアカウント名", required=True),
    Column("pop_password", "メールボックスのパスワード", kind="secret", required=True),
    Column("pop_auth", "POP認証方式", kind="choice",
           choices={"auto": "auto", "user": "user", "apop": "apop", "自動": "auto",
                    "USER/PASS": "user", "APOP": "apop"}),
    Column("leave_on_server", "メールをメールボックスに", kind="choice",
           choices={"0": "0", "1": "1", "残さない": "0", "残す": "1"}),
    Column("pop_ssl", "受信 SSL使用", kind="choice",
           choices={"0": "0", "1": "1", "しない": "0", "する": "1"}),
    Column("smtp_server", "送信サーバー ホスト名(IPアドレス)", required=True),
    Column("smtp_auth", "認証方式", kind="choice",
           choices={"default": "default", "custom": "custom", "指定する": "custom",
                    "認証なし または 標準設定を用いて認証": "default"}),
    Column("smtp_account", "送信サーバーのアカウント名"),
    Column("smtp_password", "送信サーバーのパスワード", kind="secret"),
    Column("smtp_ssl", "送信 SSL使用", kind="choice",
           choices={"0": "0", "1": "1", "しない": "0", "する": "1"}),
)
SHEETS = {USERS_SHEET: USER_COLUMNS, LINKAGES_SHEET: LINKAGE_COLUMNS}


@dataclass(frozen=True)
class Problem:
    """One thing wrong, where Excel shows it: sheet, row number and column."""

    sheet: str
    row: int | None
    column: str  # e.g. "C (メールアドレス)", or "" for the whole row/sheet
    message: str

    def sort_key(self) -> tuple:
        return (self.sheet != USERS_SHEET, self.sheet, self.row or 0, self.column)


@dataclass
class Row:
    sheet: str
    number: int  # as Excel shows it
    values: dict[str, str]  # field name → text (secrets included: never echo them)
    columns: dict[str, str]  # field name → "C (header)" for messages
    unread: set[str] = field(default_factory=set)  # fields whose cell was already reported


@dataclass
class ReadResult:
    sha256: str
    rows: dict[str, list[Row]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


class UnreadableFile(Exception):
    """The file as a whole cannot be read; the message says why, for the person uploading."""


# --- the bytes, before any parsing ------------------------------------------------------

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def check_container(data: bytes, limits: Limits) -> zipfile.ZipFile:
    """Type, size and zip-bomb checks, on the bytes, before any XML is parsed."""
    if len(data) > limits.max_bytes:
        raise UnreadableFile(_("The file is larger than %(mb)d MB.")
                             % {"mb": limits.max_bytes // (1024 * 1024)})
    if data.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise UnreadableFile(_("The file is protected by a password. Remove the "
                                     "password in Excel, save, and upload again."))
        raise UnreadableFile(_("This is an old Excel file (.xls). Save it as an Excel "
                                 "workbook (.xlsx) and upload again."))
    if not data.startswith(b"PK\x03\x04"):
        raise UnreadableFile(_("This is not an Excel workbook (.xlsx). CSV and other "
                                 "formats cannot be used: save as .xlsx and upload again."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UnreadableFile(_("The workbook is damaged and cannot be read.")) from None
    if len(members) > limits.max_members:
        raise UnreadableFile(_("The workbook contains too many parts."))
    total = 0
    for info in members:
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size > limits.max_ratio * max(
                info.compress_size, 1):
            raise UnreadableFile(_("The workbook is compressed suspiciously strongly and "
                                     "is not read (a possible zip bomb)."))
    if total > limits.max_unzipped:
        raise UnreadableFile(_("The workbook is too large once unpacked."))
    names = {info.filename for info in members}
    if "xl/workbook.xml" not in names:
        raise UnreadableFile(_("This is not an Excel workbook (.xlsx)."))
    return archive


# --- reading the sheets -------------------------------------------------------------------

def read_workbook(data: bytes, *, limits: Limits = Limits()) -> ReadResult:
    result = ReadResult(sha256=hashlib.sha256(data).hexdigest())
    check_container(data, limits)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - any parser error: the file is unusable
        raise UnreadableFile(_parse_error(exc)) from None
    try:
        for title, columns in SHEETS.items():
            if title not in book.sheetnames:
                if title == USERS_SHEET:
                    continue  # linkages for existing users only: the users sheet may go
                result.problems.append(Problem(title, None, "", _(
                    "The sheet '%(sheet)s' is missing.") % {"sheet": title}))
                continue
            ws = book[title]
            if ws.sheet_state != "visible":
                result.problems.append(Problem(title, None, "", _(
                    "The sheet is hidden. Show it (or delete it) and upload again.")))
            try:
                result.rows[title] = _read_sheet(book, ws, columns, limits, result.problems)
            except UnreadableFile:
                raise
            except Exception as exc:  # noqa: BLE001
                raise UnreadableFile(_parse_error(exc)) from None
        for ws_title in book.sheetnames:
            ws = book[ws_title]
            if ws_title not in SHEETS and ws_title != INSTRUCTIONS_SHEET and (
                    ws.sheet_state != "visible"):
                result.problems.append(Problem(ws_title, None, "", _(
                    "The sheet is hidden. Show it (or delete it) and upload again.")))
    finally:
        book.close()
    return result


def _parse_error(exc: BaseException) -> str:
    from defusedxml import DefusedXmlException

    seen: BaseException | None = exc
    while seen is not None:  # openpyxl wraps parser errors in its own ValueError
        if isinstance(seen, DefusedXmlException):
            return _("The workbook contains XML constructs that are not allowed "
                       "(entities or external references) and is not read.")
        seen = seen.__cause__ or seen.__context__
    return _("The workbook is damaged and cannot be read.")


def _read_sheet(book, ws, columns: tuple[Column, ...], limits: Limits,
                problems: list[Problem]) -> list[Row]:
    title = ws.title
    with ws._get_source() as source:
        parser = WorkSheetParser(source, ws._shared_strings, data_only=False,
                                 epoch=book.epoch, date_formats=book._date_formats,
                                 timedelta_formats=book._timedelta_formats)
        header: dict[int, Column] | None = None
        rows: list[Row] = []
        count = 0
        for number, cells in parser.parse():
            if header is None:
                header = _read_header(title, number, cells, columns, problems)
                # Where each field is, for messages: the same for every row of the sheet.
                labels = {column.name: _label(index, column)
                          for index, column in header.items()}
                continue
            count += 1
            if count > limits.max_rows:
                problems.append(Problem(title, number, "", _(
                    "Too many rows: at most %(n)d rows can be registered at once.")
                    % {"n": limits.max_rows}))
                break
            row = _read_row(title, number, cells, header, labels, limits, problems)
            if row is not None:
                rows.append(row)
        hidden = {int(r) for r, attrs in parser.row_dimensions.items()
                  if attrs.get("hidden") in ("1", "true")}
    if header is None:
        problems.append(Problem(title, 1, "", _("The header row is missing.")))
        return []
    for row in rows:
        if row.number in hidden:
            problems.append(Problem(title, row.number, "", _(
                "This row is hidden. Show it (or delete it) and upload again.")))
    return rows


def _label(index: int, column: Column) -> str:
    return f"{get_column_letter(index)} ({column.header})"


def _read_header(title: str, number: int, cells: list[dict], columns: tuple[Column, ...],
                 problems: list[Problem]) -> dict[int, Column]:
    by_text = {c.header: c for c in columns} | {c.name: c for c in columns}
    by_text |= {c.header.replace(" ", ""): c for c in columns}
    header: dict[int, Column] = {}
    for cell in cells:
        text = cell["value"]
        if text is None or str(text).strip() == "":
            continue
        key = str(text).strip()
        column = by_text.get(key) or by_text.get(key.replace(" ", "").replace("\u3000", ""))
        letter = get_column_letter(cell["column"])
        if column is None:
            problems.append(Problem(title, number, letter, _(
                "Unknown column heading '%(text)s'.") % {"text": key[:50]}))
        elif column in header.values():
            problems.append(Problem(title, number, letter, _(
                "The column '%(text)s' appears twice.") % {"text": column.header}))
        else:
            header[cell["column"]] = column
    for column in columns:
        if column.required and column not in header.values():
            problems.append(Problem(title, number, "", _(
                "The column '%(text)s' is missing.") % {"text": column.header}))
    return header


def _read_row(title: str, number: int, cells: list[dict], header: dict[int, Column],
              labels: dict[str, str], limits: Limits, problems: list[Problem]) -> Row | None:
    values: dict[str, str] = {}
    unread: set[str] = set()
    before = len(problems)
    found = False
    for cell in cells:
        value, index = cell["value"], cell["column"]
        if value is None or value == "":
            continue
        column = header.get(index)
        if index > limits.max_columns or column is None:
            problems.append(Problem(title, number, get_column_letter(index), _(
                "There is a value in a column without a heading.")))
            continue
        found = True
        label = labels[column.name]
        text = _cell_text(value, cell.get("data_type"), column, title, number, label,
                          problems)
        if text is not None and len(text) > limits.max_cell:
            problems.append(Problem(title, number, label, _(
                "The value is longer than %(n)d characters.") % {"n": limits.max_cell}))
            text = None
        elif text is not None and column.kind != "secret" and ("\n" in text or "\r" in text):
            problems.append(Problem(title, number, label, _(
                "The cell contains a line break.")))
            text = None
        if text is None:
            unread.add(column.name)
        else:
            values[column.name] = text
    if not found and len(problems) == before:
        return None  # an empty row is simply skipped
    return Row(title, number, values, labels, unread)


def _cell_text(value, data_type, column: Column, title: str, number: int, label: str,
               problems: list[Problem]) -> str | None:
    if data_type == "f" or (isinstance(value, str) and value.startswith("=")
                            and data_type not in ("s", "inlineStr", "str")):
        problems.append(Problem(title, number, label, _(
            "The cell contains a formula. Enter the value itself.")))
        return None
    if isinstance(value, bool):
        value = "1" if value else "0"
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time,
                          datetime.timedelta)):
        problems.append(Problem(title, number, label, _(
            "The cell is a date or time. Format the column as text and enter it again.")))
        return None
    if isinstance(value, (int, float)):
        if column.kind == "choice" and value in (0, 1):
            return str(int(value))
        problems.append(Problem(title, number, label, _(
            "The cell is a number (a leading 0 may have been lost). Format the column as text "
            "and enter it again.")))
        return None
    text = str(value)
    if column.kind == "choice":
        chosen = column.choices.get(text.strip()) or column.choices.get(text.strip().lower())
        if chosen is None:
            problems.append(Problem(title, number, label, _(
                "Choose one of: %(values)s.") % {"values": " / ".join(
                    dict.fromkeys(column.choices))}))
            return None
        return chosen
    if column.kind == "secret":
        return text  # passwords exactly as typed
    return text.strip()
