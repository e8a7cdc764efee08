"""The Textual face of lctasks. Importing any part of it registers its messages."""

from lctasks.tui import strings as _strings  # noqa: F401  (adds the TUI's labels to i18n)
