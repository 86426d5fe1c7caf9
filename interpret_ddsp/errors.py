# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Errors that the CLI reports as one sentence, without a traceback.

Library code raises these for problems the user can fix (bad input, a missing
install step, a device that is not there); anything else is a bug and keeps its
traceback.
"""


class UserError(Exception):
  """A problem the user can fix; str(e) is one sentence saying how."""


class EnvironmentProblem(UserError):
  """The installed stack or the machine lacks something that was asked for."""


class BadInput(UserError, ValueError):
  """A value or file the user gave is wrong (also a ValueError, so library
  callers that catch ValueError keep working)."""
