# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""OSC and MIDI controllers for the live instrument, as engine messages.

Both translate what they receive into `live` message dicts (checked by the
engine like the page's own); the server applies them to every connected
player's engine.

OSC addresses (python-osc, UDP; for Max, Pd, SuperCollider, TouchOSC):

  /note/on <pitch> <velocity>      /note/off <pitch>      /notes/off
  /knob/<name> <value>             (std units, e.g. /knob/brightness 0.8)
  /expression/<name> <value>       (e.g. /expression/vibrato_depth_cents 40)
  /mood <name>                     /instrument <name>
  /expression_source <name>        (profile: the panel's; learned: per note)
  /timbre/new [seed]

MIDI (mido with python-rtmidi): note on/off, and control changes mapped to
knobs by a small JSON file (`load_cc_map`):

  {"cc": {"74": "brightness", "71": "hollowness", "1": "noisiness"},
   "range": [-3, 3]}

CC value 0 maps to range[0], 127 to range[1], linearly.

Example:
  >>> osc_to_message('/knob/brightness', [0.8])
  {'type': 'knob', 'name': 'brightness', 'value': 0.8}
  >>> cc = {'cc': {74: 'brightness'}, 'range': (-3.0, 3.0)}
  >>> midi_to_message('control_change', control=74, value=127, cc_map=cc)
  {'type': 'knob', 'name': 'brightness', 'value': 3.0}
"""

import asyncio
import json

from interpret_ddsp import errors

DEFAULT_CC_MAP = {'cc': {74: 'brightness', 71: 'hollowness', 1: 'noisiness'},
                  'range': (-3.0, 3.0)}
OSC_ADDRESSES = ('/note/on', '/note/off', '/notes/off', '/knob/<name>',
                 '/expression/<name>', '/expression_source', '/mood',
                 '/instrument', '/timbre/new')


class InputError(errors.UserError):
  """A controller that cannot be used (missing extra, port, bad map)."""


def osc_to_message(address, args):
  """An OSC message -> an engine message dict (unchecked values).

  Raises:
    live.MessageError: An address this instrument does not know.
  """
  from interpret_ddsp.apps import live  # pylint: disable=g-import-not-at-top
  args = list(args)
  first = args[0] if args else None
  if address == '/note/on':
    return {'type': 'note_on', 'pitch': first,
            'velocity': args[1] if len(args) > 1 else 100}
  if address == '/note/off':
    return {'type': 'note_off', 'pitch': first}
  if address == '/notes/off':
    return {'type': 'all_notes_off'}
  if address.startswith('/knob/'):
    return {'type': 'knob', 'name': address[len('/knob/'):], 'value': first}
  if address.startswith('/expression/'):
    return {'type': 'expression', 'name': address[len('/expression/'):],
            'value': first}
  if address in ('/mood', '/instrument', '/expression_source'):
    return {'type': address[1:], 'name': first}
  if address == '/timbre/new':
    return {'type': 'new_timbre', 'seed': first}
  raise live.MessageError(f'Unknown OSC address {address}; known: '
                          f'{", ".join(OSC_ADDRESSES)}.')


def load_cc_map(path=None):
  """A CC-to-knob map from JSON (None: DEFAULT_CC_MAP).

  Returns:
    {'cc': {int controller: knob name}, 'range': (lo, hi)}.

  Raises:
    InputError: Unreadable, or not of the documented form.
  """
  if path is None:
    return DEFAULT_CC_MAP
  try:
    with open(path, encoding='utf-8') as f:
      data = json.load(f)
    cc = {int(k): str(v) for k, v in data['cc'].items()}
    lo, hi = (float(x) for x in data.get('range', (-3.0, 3.0)))
  except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
    raise InputError(f'{path} is not a CC map like {{"cc": {{"74": '
                     f'"brightness"}}, "range": [-3, 3]}} ({e}).') from e
  if any(not 0 <= k <= 127 for k in cc) or not lo < hi:
    raise InputError(f'{path}: controllers must be 0-127 and range [lo, hi] '
                     'with lo < hi.')
  return {'cc': cc, 'range': (lo, hi)}


def midi_to_message(kind, note=None, velocity=None, control=None,
                    value=None, cc_map=DEFAULT_CC_MAP):
  """A MIDI message's fields (mido names) -> an engine message, or None
  for messages the instrument ignores (unmapped CCs, clock, ...)."""
  if kind == 'note_on' and velocity:
    return {'type': 'note_on', 'pitch': note, 'velocity': velocity}
  if kind == 'note_off' or (kind == 'note_on' and not velocity):
    return {'type': 'note_off', 'pitch': note}
  if kind == 'control_change':
    if control == 123:  # All notes off.
      return {'type': 'all_notes_off'}
    knob = cc_map['cc'].get(control)
    if knob is None:
      return None
    lo, hi = cc_map['range']
    return {'type': 'knob', 'name': knob,
            'value': lo + (hi - lo) * float(value) / 127.0}
  return None


async def start_osc(dispatch, host='127.0.0.1', port=9000):
  """Listens for OSC on UDP (host, port) on the running event loop; calls
  dispatch(message dict) for each message. Returns the transport (close()
  to stop).

  Raises:
    InputError: python-osc is missing or the port is taken.
  """
  try:
    from pythonosc import dispatcher as osc_dispatcher  # pylint: disable=g-import-not-at-top
    from pythonosc import osc_server  # pylint: disable=g-import-not-at-top
  except ImportError as e:
    raise InputError("OSC input needs python-osc: pip install "
                     "'interpret_ddsp[live]'.") from e
  d = osc_dispatcher.Dispatcher()
  d.set_default_handler(lambda address, *args: dispatch(
      _safe(osc_to_message, address, args)))
  server = osc_server.AsyncIOOSCUDPServer((host, port), d,
                                          asyncio.get_running_loop())
  try:
    transport, _ = await server.create_serve_endpoint()
  except OSError as e:
    raise InputError(f'Cannot listen for OSC on {host}:{port} '
                     f'({e.strerror or e}).') from e
  return transport


def _safe(fn, *args):
  """fn(*args), or an {'type': 'error'} dict when it refuses."""
  try:
    return fn(*args)
  except errors.UserError as e:
    return {'type': 'error', 'message': str(e)}


def open_midi(dispatch, port_name=None, cc_map=DEFAULT_CC_MAP):
  """Opens a MIDI input (default: the first) and calls dispatch(message)
  from mido's thread for each note and mapped CC. Returns the port.

  Raises:
    InputError: mido/python-rtmidi missing, no MIDI input, or no such port.
  """
  try:
    import mido  # pylint: disable=g-import-not-at-top
    names = mido.get_input_names()
  except ImportError as e:
    raise InputError("MIDI input needs mido and python-rtmidi: pip install "
                     "'interpret_ddsp[live]'.") from e
  except Exception as e:  # pylint: disable=broad-except  # rtmidi's errors.
    raise InputError(f'This system offers no MIDI inputs ({e}).') from e
  if port_name is None:
    if not names:
      raise InputError('No MIDI input is connected.')
    port_name = names[0]
  elif port_name not in names:
    raise InputError(f'No MIDI input {port_name!r}; inputs: '
                     f'{", ".join(names) or "none"}.')

  def callback(msg):
    message = midi_to_message(
        msg.type, note=getattr(msg, 'note', None),
        velocity=getattr(msg, 'velocity', None),
        control=getattr(msg, 'control', None),
        value=getattr(msg, 'value', None), cc_map=cc_map)
    if message is not None:
      dispatch(message)

  return mido.open_input(port_name, callback=callback)
