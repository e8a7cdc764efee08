"""Unit workbooks (报送表): export a unit's tasks to Excel, apply the filled-in workbook.

One sheet ``报送表`` per workbook: a title row, a header row, one row per task.
Columns A–H are read-only (locked under sheet protection); columns I–N are what a
liaison fills in. The very hidden sheet ``_lctasks`` records what was exported, so
that apply can refuse anything that is not a workbook we wrote.

- ``layout``: the sheets, columns, labels and checksums both directions share;
- ``export``: writing workbooks (``export_workbooks``, ``write_workbook``);
- ``read``: reading a filled-in workbook back and checking every cell (``read_workbook``);
- ``apply``: applying its edits in one write transaction (``apply_workbook``).

Sheet protection has no password: it prevents accidents, not intent. What protects
the ledger is the check on apply.
"""
