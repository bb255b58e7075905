"""The one kind of failure kut-debug reports: a sentence for the user."""


class DebugError(Exception):
    """Something the user can fix; str() is one sentence, shown as it is."""
