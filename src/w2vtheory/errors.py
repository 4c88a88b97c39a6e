"""One exception type for predictable user errors (bad input, bad config, failed download).

Scripts let it propagate; the message, not a traceback, is what a user needs, so it must name
the file, key, value or URL at fault and say what to do next.
"""


class InputError(Exception):
    """A problem with the user's input that they can fix."""
