# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Drops TensorFlow's C++ start-up lines from a command's stderr.

TensorFlow 2.21 logs through absl before absl is initialized, so no
environment variable (TF_CPP_MIN_LOG_LEVEL, ABSL_MIN_LOG_LEVEL) silences its
'I0000 ... port.cc] oneDNN custom operations are on' lines, nor the CUDA
probe's error on a machine without a GPU. `start` puts a pipe in front of
file descriptor 2 and a thread that forwards every line except those
(`is_noise`); progress bars (carriage returns) pass through as they come.
The package starts it when it is imported by the `interpret-ddsp` command
(or `python -m interpret_ddsp...`) unless `--verbose` is on the command line
or INTERPRET_DDSP_VERBOSE=1.

Example:
  >>> is_noise(b'I0000 00:00:1796129162.518982   31830 port.cc:153] oneDNN')
  True
  >>> is_noise(b'E0000 00:00:1796282372.246107   15664 ring_alg.cc:291] '
  ...          b'Aborting RingReduce with UNAVAILABLE')
  True
  >>> is_noise(b'/job:worker/replica:0/task:1')
  True
  >>> is_noise(b'interpret-ddsp sample: Unknown knob warmth.')
  False
"""

import atexit
import os
import re
import sys
import threading

_NOISE = (
    re.compile(rb'^WARNING: All log messages before absl::InitializeLog'),
    # absl's C++ lines (severity + MMDD, time, thread, file:line]): info
    # and warnings; of the errors only the CUDA probe's on a CPU host.
    re.compile(rb'^[IW]\d{4} [\d:.]+ +\d+ [\w./-]+:\d+\] '),
    re.compile(rb'^E\d{4} [\d:.]+ +\d+ cuda\w*\.cc:\d+\] failed call to '
               rb'cuInit'),
    # A multi-worker run whose peer went away: the C++ collective lines
    # and their gRPC detail (train turns the error into one sentence).
    re.compile(rb'^E\d{4} [\d:.]+ +\d+ (ring_alg|base_collective_executor|'
               rb'collective_\w+|coordination_\w+)\.cc:\d+\] '),
    re.compile(rb'^Additional GRPC error information from remote target'),
    re.compile(rb'^:UNKNOWN:Error received from peer'),
    # The coordination service's lines under such an error's first line
    # (a multi-line log record: only its first line has the prefix).
    re.compile(rb'^/job:\w+/replica:\d+/task:\d+$'),
    re.compile(rb'^The tasks have crashed\. Check the task logs'),
    re.compile(rb'^The error could be from a previous operation\. '
               rb'Restart your program'),
    re.compile(rb'^WARNING:root:apitools not found'),  # Beam's GCP extras.
    re.compile(rb"RuntimeWarning: Couldn't find ffmpeg or avconv"),  # pydub
    re.compile(rb'^\s+warn\("Couldn\'t find ffmpeg or avconv'),
)


def is_noise(line):
  """Whether a stderr line (bytes, no newline) is start-up noise."""
  return any(p.search(line) for p in _NOISE)


class _Filter:
  """A pipe on fd 2 and the thread that forwards what is not noise."""

  def __init__(self, fd=2):
    self.fd = fd
    self.saved = os.dup(fd)
    read, write = os.pipe()
    os.dup2(write, fd)
    os.close(write)
    self.read = read
    self.thread = threading.Thread(target=self._pump, daemon=True,
                                   name='stderr_filter')
    self.thread.start()

  def _write(self, data):
    while data:
      data = data[os.write(self.saved, data):]

  def _pump(self):
    buffer = b''
    while True:
      try:
        chunk = os.read(self.read, 65536)
      except OSError:
        break
      if not chunk:
        break
      buffer += chunk
      lines = buffer.split(b'\n')
      buffer = lines.pop()
      self._write(b''.join(l + b'\n' for l in lines if not is_noise(l)))
      if b'\r' in buffer:  # A progress bar redrawing its line.
        cut = buffer.rindex(b'\r') + 1
        self._write(buffer[:cut])
        buffer = buffer[cut:]
    if buffer and not is_noise(buffer):
      self._write(buffer)

  def stop(self):
    """Puts the real stderr back and forwards what is still in the pipe."""
    try:
      sys.stderr.flush()
    except (OSError, ValueError):
      pass
    os.dup2(self.saved, self.fd)  # Closes our write end of the pipe.
    self.thread.join(timeout=2.0)  # Children may still hold it open.


_active = None


def start():
  """Filters this process's stderr until exit (idempotent)."""
  global _active
  if _active is None:
    _active = _Filter()
    atexit.register(_active.stop)
  return _active


def wanted(argv, environ):
  """Whether a command line runs the CLI without --verbose."""
  if not argv or environ.get('INTERPRET_DDSP_VERBOSE') == '1':
    return False
  if '--verbose' in argv:
    return False
  # `interpret-ddsp ...`, or `python -m interpret_ddsp.x` (argv[0] is '-m'
  # while the package is imported to find the module).
  return os.path.basename(argv[0]) == 'interpret-ddsp' or argv[0] == '-m'
