"""Exports of protected releases: tidy CSV, XLSX with a methods sheet, JSON with a schema.

Every export takes ``YearRelease`` values only (the output of the disclosure gate), never
cells; callers record each export in the audit log.
"""

from climate.exports.document import ExportDocument, json_schema, write_json
from climate.exports.selection import select_rows
from climate.exports.tidy import write_csv
from climate.exports.workbook import write_xlsx

FORMATS = ("csv", "xlsx", "json")

__all__ = [
    "FORMATS",
    "ExportDocument",
    "json_schema",
    "select_rows",
    "write_csv",
    "write_json",
    "write_xlsx",
]
