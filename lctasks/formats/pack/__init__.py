"""The meeting pack (调度会材料): one self-contained HTML page laid out for A4 print.

- ``render``: a snapshot (plus trend, parts, indicator views) → the HTML page; no
  database, so a snapshot file renders the same as the ledger;
- ``build``: what the page needs, read from the ledger (or a snapshot file), and
  writing the page.
"""
