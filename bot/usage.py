"""The one error every `legalaid` command raises for bad arguments."""


class UsageError(Exception):
    """Bad arguments: exit status 2 and one clear line on stderr."""
