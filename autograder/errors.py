"""The exceptions the library raises for problems a person can fix.

The command line turns each into one ``Error: ...`` line and exit status 2;
every message names what is wrong and how to fix it.
"""


class AutograderError(Exception):
    """Base class of every error meant for the person running the tool."""


class UnknownAssignmentError(AutograderError):
    """An assignment name that is not a folder under ``assignments/``."""


class MarkerError(AutograderError):
    """Unbalanced or nested solution markers in a reference file."""


class OutputExistsError(AutograderError):
    """An output folder that exists and is not empty, without ``--force``."""
