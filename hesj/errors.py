"""The one error type a learner or author should ever see from bad input.

Parsers and loaders raise :class:`InputError` (or a subclass) with a message
that says what is wrong and how to fix it, naming the column, row or field.
Anything else escaping a parser is a bug; the property-based tests check that.
"""


class InputError(ValueError):
    """Bad input; the message says what to fix."""
