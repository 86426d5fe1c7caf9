# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Knob calibration: does a knob at v give a descriptor of v?

A knob's promise is a value (at +1 the output's descriptor is one training
standard deviation above average), so rank measures are not enough. For a
knob swept over values v_j on examples i, with the output's descriptor
m_ij measured (std units), `calibration` gives the least-squares line
m = slope * v + intercept over all (i, j), Pearson r, and the mean absolute
error |m - v|; `cross_talk` gives, for every pair of knobs, the slope of the
other knob's descriptor against the swept knob (0 for a knob that can be
turned alone; the diagonal is each knob's own slope). Every figure has a
bootstrap 95% interval over examples (resampled with replacement: a sweep
is one unit). Pure NumPy; the plots use matplotlib.

Example:
  >>> v = np.linspace(-1, 1, 9)
  >>> m = np.stack([0.5 * v + 0.1] * 4)  # 4 examples, slope 0.5.
  >>> c = calibration(v, m)
  >>> round(c['slope'], 3), round(c['intercept'], 3), round(c['mae'], 3)
  (0.5, 0.1, 0.289)
"""

import numpy as np

from interpret_ddsp.support import files

N_BOOTSTRAP = 1000
# Targets of a default knob (the knobs issue; README).
TARGETS = {'pearson_r': 0.97, 'slope': (0.85, 1.15), 'mae': 0.2,
           'cross_talk': 0.2}


def line_fit(values, measured):
  """Least-squares line, Pearson r and MAE of measured against values.

  Args:
    values: [n_values] requested knob values.
    measured: [n_examples, n_values] descriptor of each output, std units.

  Returns:
    {'slope', 'intercept', 'pearson_r', 'mae'} floats (nan where the
    measurements are all equal or missing).
  """
  fits = _line_fits(values, np.asarray(measured, np.float64)[None])
  return {k: float(v[0]) for k, v in fits.items()}


def _line_fits(values, measured):
  """`line_fit` of each of a stack of sweeps, in closed form.

  Args:
    values: [n_values].
    measured: [n_fits, n_examples, n_values]; nan entries are left out.

  Returns:
    {'slope', 'intercept', 'pearson_r', 'mae'}: arrays [n_fits].
  """
  m = np.asarray(measured, np.float64)
  m = m.reshape(len(m), -1)
  v = np.broadcast_to(np.asarray(values, np.float64),
                      np.shape(measured)).reshape(len(m), -1)
  w = np.isfinite(m)
  m, v = np.where(w, m, 0.0), np.where(w, v, 0.0)
  with np.errstate(invalid='ignore', divide='ignore'):
    n = w.sum(-1)
    mean_v, mean_m = v.sum(-1) / n, m.sum(-1) / n
    dv = np.where(w, v - mean_v[:, None], 0.0)
    dm = np.where(w, m - mean_m[:, None], 0.0)
    var_v, var_m = (dv ** 2).sum(-1), (dm ** 2).sum(-1)
    cov = (dv * dm).sum(-1)
    fit = (n >= 2) & (var_v > 0)
    slope = np.where(fit, cov / var_v, np.nan)
    r = np.where(fit & (var_m > 0), cov / np.sqrt(var_v * var_m), np.nan)
    mae = np.where(fit, np.abs(m - v).sum(-1) / n, np.nan)
  return {'slope': slope, 'intercept': mean_m - slope * mean_v,
          'pearson_r': r, 'mae': mae}


def _bootstrap(values, measured, keys, n_boot=N_BOOTSTRAP, seed=0):
  """{key: [lo, hi]} of `line_fit`'s keys: the 2.5th and 97.5th
  percentiles over n_boot resamples (with replacement) of the examples
  (rows of measured [n_examples, n_values])."""
  rng = np.random.default_rng(seed)
  n_examples = len(measured)
  idx = rng.integers(0, n_examples, (n_boot, n_examples))
  fits = _line_fits(values, np.asarray(measured, np.float64)[idx])
  with np.errstate(invalid='ignore'):
    return {k: [float(np.nanpercentile(fits[k], 2.5)),
                float(np.nanpercentile(fits[k], 97.5))] for k in keys}


def calibration(values, measured, n_boot=N_BOOTSTRAP, seed=0):
  """`line_fit` of one knob's sweep, with bootstrap 95% intervals.

  Args:
    values: [n_values] requested knob values (std units).
    measured: [n_examples, n_values] the knob's descriptor on each output.
    n_boot: Bootstrap resamples (0: no intervals).
    seed: Bootstrap seed.

  Returns:
    line_fit's keys, 'ci' {key: [lo, hi]}, 'n_examples', 'n_values'.
  """
  measured = np.asarray(measured, np.float64)
  out = line_fit(values, measured)
  if n_boot:
    out['ci'] = _bootstrap(values, measured, list(out), n_boot, seed)
  out.update(n_examples=int(measured.shape[0]),
             n_values=int(measured.shape[1]))
  return out


def cross_talk(sweeps, n_boot=N_BOOTSTRAP, seed=0):
  """Slopes of every knob's descriptor against every swept knob.

  Args:
    sweeps: {swept knob: {'values': [n_values], 'measured': {knob:
      [n_examples, n_values]}}}; every knob swept and measured.
    n_boot: Bootstrap resamples (0: no intervals).
    seed: Bootstrap seed.

  Returns:
    {'knobs': names, 'slope': [k, k] (row: swept knob, column: measured
    descriptor), 'ci_low', 'ci_high': [k, k], 'max_off_diagonal': the
    largest |slope| off the diagonal}.
  """
  names = list(sweeps)
  k = len(names)
  slope = np.zeros((k, k))
  low, high = np.zeros((k, k)), np.zeros((k, k))
  for a, swept in enumerate(names):
    values = sweeps[swept]['values']
    for b, other in enumerate(names):
      m = np.asarray(sweeps[swept]['measured'][other], np.float64)
      slope[a, b] = line_fit(values, m)['slope']
      if n_boot:
        low[a, b], high[a, b] = _bootstrap(values, m, ['slope'], n_boot,
                                           seed)['slope']
  off = ~np.eye(k, dtype=bool)
  return {'knobs': names, 'slope': slope.tolist(), 'ci_low': low.tolist(),
          'ci_high': high.tolist(),
          'max_off_diagonal': float(np.nanmax(np.abs(slope[off])))
                              if k > 1 else 0.0}


def _mean_curve(values, measured):
  """(values sorted, mean measured at each [n_values], at(x): the mean
  curve read at x by linear interpolation)."""
  values = np.asarray(values, np.float64)
  mean = np.nanmean(np.asarray(measured, np.float64), axis=0)
  order = np.argsort(values)
  values, mean = values[order], mean[order]
  return values, mean, lambda x: float(np.interp(x, values, mean))


def edge_slopes(values, measured, edge_low, edge_high):
  """Slopes beyond the trained range: from the range's edge to the sweep's
  ends (e.g. -3 and +3 std).

  Args:
    values: [n_values] requested values, some below edge_low and/or above
      edge_high.
    measured: [n_examples, n_values].
    edge_low, edge_high: The trained range (e.g. 5th-95th percentile).

  Returns:
    {'low': slope from the lowest value to edge_low or None, 'high': from
    edge_high to the highest value or None, 'monotonic': the mean measured
    curve never decreases}.
  """
  values, mean, at = _mean_curve(values, measured)
  out = {'low': None, 'high': None,
         'monotonic': bool(np.all(np.diff(mean) >= -1e-6))}
  if values[0] < edge_low:
    out['low'] = (at(edge_low) - mean[0]) / (edge_low - values[0])
  if values[-1] > edge_high:
    out['high'] = (mean[-1] - at(edge_high)) / (values[-1] - edge_high)
  return out


def wall_sides(at_wall, edge_low):
  """{'low': measured [n_examples] at the far value below edge_low or
  None, 'high': at the one above or None} of at_wall {far value:
  measured}."""
  sides = {'low': None, 'high': None}
  for far, m in at_wall.items():
    sides['low' if far < edge_low else 'high'] = m
  return sides


def walls(values, measured, edge_low, edge_high, at_wall):
  """Where a knob stops: the wall on each side, and the slope up to it.

  A knob set far past its range (e.g. +-10 std) measures the wall it runs
  into: a limit of the sound (brightness cannot go below a fundamental
  alone) or of the measurement (noise far under the partials). Up to the
  wall, a knob that keeps its promise follows at slope 1; past it no knob
  can. So beside `edge_slopes` (from the edge to the extreme, whatever lies
  between), the slope within reach divides the measured change from the
  edge to the extreme by the requested change cut at the wall:

    low side:  (m(edge) - m(extreme)) / (edge - max(extreme, wall))

  (mirrored above), None where the wall lies inside the trained range.

  Args:
    values: [n_values] requested values, sorted or not.
    measured: [n_examples, n_values].
    edge_low, edge_high: The trained range.
    at_wall: {far value: measured [n_examples]} (any of the two sides).

  Returns:
    {'wall': {'low': mean measured at the far low value or None, 'high':
    ...}, 'slope_within_reach': {'low': float or None, 'high': ...}}.

  Example:
    >>> v = np.array([-3.0, -1.0, 0.0, 1.0])
    >>> m = np.array([[-2.0, -1.0, 0.0, 1.0]])  # Stops at -2 std.
    >>> out = walls(v, m, -1.0, 1.0, {-10.0: np.array([-2.0])})
    >>> out['wall']['low'], out['slope_within_reach']['low']
    (-2.0, 1.0)
  """
  values, mean, at = _mean_curve(values, measured)
  wall = {side: None if m is None else float(np.nanmean(m))
          for side, m in wall_sides(at_wall, edge_low).items()}
  slope = {'low': None, 'high': None}
  if wall['low'] is not None and values[0] < edge_low:
    span = edge_low - max(values[0], wall['low'])
    if span > 0:
      slope['low'] = float((at(edge_low) - mean[0]) / span)
  if wall['high'] is not None and values[-1] > edge_high:
    span = min(values[-1], wall['high']) - edge_high
    if span > 0:
      slope['high'] = float((mean[-1] - at(edge_high)) / span)
  return {'wall': wall, 'slope_within_reach': slope}


REACH_MARGIN = 0.05  # std: a request this close to a wall counts as past it.


def within_reach(values, measured, wall_low, wall_high, margin=REACH_MARGIN):
  """The sweep with the requests no output could meet left out (nan).

  A note's wall (what it measures with the knob at +-10 std, `walls`) can
  lie inside the trained range: at 16 kHz a clarinet's F6 (1397 Hz) has
  four partials below Nyquist, so its brightness cannot rise past about
  +1.2 std, while the range, pooled over the instrument's notes, reaches
  +2.3. Such requests measure the wall, not the knob; `calibration` of the
  result is the knob's promise where it can be kept.

  Args:
    values: [n_values] requested values.
    measured: [n_examples, n_values].
    wall_low, wall_high: [n_examples] each example's walls (None: no wall
      on that side).
    margin: Requests within this many std of a wall count as past it.

  Returns:
    (measured with the requests beyond each example's walls set to nan,
    the share of requests left out).

  Example:
    >>> v = np.array([0.0, 1.0, 2.0])
    >>> m = np.array([[0.0, 1.0, 1.5], [0.0, 1.0, 2.0]])  # One stops at 1.5.
    >>> kept, share = within_reach(v, m, None, np.array([1.5, 9.0]))
    >>> calibration(v, kept, n_boot=0)['slope'], round(share, 3)
    (1.0, 0.167)
  """
  measured = np.array(measured, np.float64)
  v = np.broadcast_to(np.asarray(values, np.float64), measured.shape)
  out = np.zeros(measured.shape, bool)
  if wall_high is not None:
    out |= v > np.asarray(wall_high, np.float64)[:, None] - margin
  if wall_low is not None:
    out |= v < np.asarray(wall_low, np.float64)[:, None] + margin
  measured[out] = np.nan
  return measured, float(out.mean())


def meets_targets(cal, max_cross_talk=None, targets=None):
  """{'pearson_r': bool, 'slope': bool, 'mae': bool[, 'cross_talk': bool]}
  of one knob's calibration against TARGETS."""
  t = targets or TARGETS
  out = {'pearson_r': cal['pearson_r'] >= t['pearson_r'],
         'slope': t['slope'][0] <= cal['slope'] <= t['slope'][1],
         'mae': cal['mae'] <= t['mae']}
  if max_cross_talk is not None:
    out['cross_talk'] = max_cross_talk <= t['cross_talk']
  return {k: bool(v) for k, v in out.items()}


def plot_calibration(curves, path, title=None, ranges=None):
  """Measured vs requested per knob, with the ideal line.

  Args:
    curves: {knob: (values [n_values], measured [n_examples, n_values])}.
    path: PNG to write.
    title: Figure title.
    ranges: {knob: (low, high)}, the trained range: the figures in each
      panel's title are fitted inside it, and it is shaded.
  """
  import matplotlib  # pylint: disable=g-import-not-at-top
  matplotlib.use('Agg')
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, axes = plt.subplots(1, len(curves), figsize=(4 * len(curves), 3.8),
                           squeeze=False)
  for ax, (knob, (values, measured)) in zip(axes[0], curves.items()):
    values = np.asarray(values)
    measured = np.asarray(measured)
    lo, hi = np.nanpercentile(measured, [10, 90], axis=0)
    ax.fill_between(values, lo, hi, alpha=0.25, label='10-90% of examples')
    ax.plot(values, np.nanmean(measured, 0), 'o-', label='mean measured')
    ax.plot(values, values, 'k--', lw=1, label='ideal (measured = knob)')
    inside = np.ones(len(values), bool)
    where = ''
    if ranges and knob in ranges:
      lo_r, hi_r = ranges[knob]
      inside = (values >= lo_r - 1e-6) & (values <= hi_r + 1e-6)
      ax.axvspan(lo_r, hi_r, color='0.93', zorder=0, label='trained range')
      where = 'in range: '
    fit = line_fit(values[inside], measured[:, inside])
    ax.set_title(f'{knob}, {where}slope {fit["slope"]:.2f}, r '
                 f'{fit["pearson_r"]:.3f}, MAE {fit["mae"]:.2f}', fontsize=9)
    ax.set_xlabel(f'{knob} knob (std units)')
    ax.set_ylabel('descriptor of the output (std units)')
    ax.legend(fontsize=7)
  if title:
    fig.suptitle(title, fontsize=10)
  fig.tight_layout()
  files.save_figure(fig, path, dpi=100)
  plt.close(fig)


def plot_cross_talk(table, path, title=None):
  """Heatmap of `cross_talk`'s slope matrix (rows: knob swept)."""
  import matplotlib  # pylint: disable=g-import-not-at-top
  matplotlib.use('Agg')
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  names = table['knobs']
  slope = np.asarray(table['slope'])
  fig, ax = plt.subplots(figsize=(1.3 * len(names) + 2, 1.1 * len(names) + 1))
  image = ax.imshow(slope, cmap='RdBu_r', vmin=-1.2, vmax=1.2)
  for a in range(len(names)):
    for b in range(len(names)):
      ax.text(b, a, f'{slope[a, b]:+.2f}', ha='center', va='center',
              fontsize=9)
  ax.set_xticks(range(len(names)), [f'{n}\n(measured)' for n in names],
                fontsize=8)
  ax.set_yticks(range(len(names)), [f'{n} (swept)' for n in names],
                fontsize=8)
  fig.colorbar(image, ax=ax, label='slope (std per std)')
  ax.set_title(title or 'Cross-talk: descriptor slope per knob unit',
               fontsize=9)
  fig.tight_layout()
  files.save_figure(fig, path, dpi=100)
  plt.close(fig)
