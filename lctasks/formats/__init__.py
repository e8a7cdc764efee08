"""Formats the people outside the office use: Excel workbooks, the printed pack, Word notices.

Each module turns ledger data (from the services) into a file, or reads one back
through the same workflow rules as every other change. Nothing here imports a UI
library; openpyxl and python-docx are imported inside the functions that use them
(start-up of the CLI stays cheap).

``anchor`` is the history point every file carries (last event seq + hash), in a
form ``lctasks log --verify --against FILE`` can read.
"""
