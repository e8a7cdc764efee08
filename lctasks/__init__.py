"""lctasks: turn the 聊城市“十四五” plan into an accountable task ledger."""

__version__ = "0.1.0"
