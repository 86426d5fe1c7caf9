# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""A Gaussian-mixture prior over the timbre latent z, for sampling new timbres.

z [n, D] holds the encoder's named knob dims first (e.g. brightness, sharpness,
noisiness) and then its free dims. `fit_prior` standardizes z with its own
per-dim mean and std (the data's normalization), fits scikit-learn
`GaussianMixture`s for every number of components and covariance type, and
keeps the one with the lowest BIC. Whatever the covariance type, the prior
stores full [K, D, D] covariances in z units, so log densities, conditioning
and sampling have a single code path.

Conditioning on fixed dims (`GaussianMixturePrior.condition`) is exact: each
component k becomes

  mu_b|a = mu_b + S_ba S_aa^-1 (x_a - mu_a),   S_b|a = S_bb - S_ba S_aa^-1 S_ab,

with weight proportional to w_k N(x_a; mu_a,k, S_aa,k). `sample` draws from
the prior or from that conditional, with the fixed dims set exactly.

A prior may also hold context dims after z (`context_names`): `fit_z_file`
fits z jointly with each example's pitch (REGISTER, `register_pitch`), and
`over_z` (or `load_priors(path, context=...)`) gives the exact mixture over
z given that pitch, or marginalized over it, so a score's register draws a
timbre from the sounds the data has there.

Priors save to `.npz` files of plain arrays (strings as numpy unicode arrays),
readable with `np.load(path, allow_pickle=False)`; one file can hold the
global prior (group '') and per-instrument priors.

Pure numpy/scipy/scikit-learn: this module does not import TensorFlow.
"""

import dataclasses
import os
import tempfile
import warnings

import numpy as np
from scipy import linalg
from scipy import special

from interpret_ddsp import contracts
from interpret_ddsp import errors
from interpret_ddsp.support import files
from interpret_ddsp.support import signals

COVARIANCE_TYPES = ('full', 'diag', 'tied', 'spherical')
# How `sample` draws the dims that are not fixed.
OTHERS = ('conditional', 'marginal')
FORMAT_VERSION = 1
_FIELDS = ('weights', 'means', 'covariances', 'dim_names', 'knob_names',
           'data_mean', 'data_std', 'data_min', 'data_max', 'covariance_type',
           'group', 'context_names')
# Fields a prior file written before them may lack, with their defaults.
_OPTIONAL_FIELDS = {'context_names': ()}
# The context a register prior is fitted on and conditioned by (last dim):
# the clip's pitch, `register_pitch`.
REGISTER = 'pitch'


# Knob values (std units of the training set) may be set beyond the range
# seen in training, to exaggerate a sound, up to this far from the average.
KNOB_LIMIT_STD = 3.0


class KnobRangeWarning(UserWarning):
  """A fixed value lay outside the range seen in training (a knob: beyond
  it, extrapolated up to +-KNOB_LIMIT_STD; a free dim: clipped)."""


# --- Gaussian algebra (pure functions) ---------------------------------------
def _symmetrize(cov):
  """(C + C^T) / 2 over the last two axes."""
  return 0.5 * (cov + np.swapaxes(cov, -1, -2))


def _cholesky(cov):
  """Lower Cholesky factor of a covariance [D, D], with jitter if needed.

  Args:
    cov: Symmetric positive (semi-)definite [D, D].

  Returns:
    L [D, D] with L L^T = cov (+ a tiny diagonal jitter for singular cov).
  """
  cov = _symmetrize(np.asarray(cov, np.float64))
  scale = max(float(np.max(np.abs(np.diag(cov)), initial=0.0)), 1e-300)
  jitter = 0.0
  for _ in range(8):
    try:
      return linalg.cholesky(cov + jitter * np.eye(len(cov)), lower=True)
    except linalg.LinAlgError:
      jitter = scale * 1e-12 if jitter == 0.0 else jitter * 100.0
  raise ValueError('A covariance matrix of the prior is not positive '
                   'semi-definite.')


def gaussian_log_pdf(x, mean, cov):
  """Log density of a multivariate normal, via Cholesky.

  Args:
    x: Points [n, D].
    mean: Mean [D].
    cov: Covariance [D, D].

  Returns:
    log N(x; mean, cov) [n], in nats.
  """
  x = np.asarray(x, np.float64)
  chol = _cholesky(cov)
  white = linalg.solve_triangular(chol, (x - mean).T, lower=True)  # [D, n]
  log_det = 2.0 * np.sum(np.log(np.diag(chol)))
  d = x.shape[-1]
  return -0.5 * (d * np.log(2 * np.pi) + log_det + np.sum(white**2, axis=0))


def condition_gaussian(mean, cov, idx_a, x_a):
  """Exact conditional of one Gaussian given some of its dims.

  Args:
    mean: Mean [D].
    cov: Covariance [D, D].
    idx_a: Indices [A] of the observed dims (the rest, in order, are b).
    x_a: Observed values [A].

  Returns:
    mean_b: mu_b + S_ba S_aa^-1 (x_a - mu_a), [D - A].
    cov_b: S_bb - S_ba S_aa^-1 S_ab, [D - A, D - A].
    log_marginal: log N(x_a; mu_a, S_aa), a float.
  """
  idx_a = np.asarray(idx_a, int)
  idx_b = np.setdiff1d(np.arange(len(mean)), idx_a)
  s_aa = cov[np.ix_(idx_a, idx_a)]
  s_ab = cov[np.ix_(idx_a, idx_b)]
  s_bb = cov[np.ix_(idx_b, idx_b)]
  chol = _cholesky(s_aa)
  gain = linalg.cho_solve((chol, True), s_ab).T  # S_ba S_aa^-1, [B, A].
  mean_b = mean[idx_b] + gain @ (x_a - mean[idx_a])
  cov_b = _symmetrize(s_bb - gain @ s_ab)
  log_marginal = gaussian_log_pdf(x_a[None], mean[idx_a], s_aa)[0]
  return mean_b, cov_b, float(log_marginal)


def full_covariances(covariances, covariance_type, n_components, n_dims):
  """sklearn's covariances_ of any type as full matrices.

  Args:
    covariances: `GaussianMixture.covariances_`: [K, D, D] ('full'),
      [D, D] ('tied'), [K, D] ('diag') or [K] ('spherical').
    covariance_type: One of COVARIANCE_TYPES.
    n_components: K.
    n_dims: D.

  Returns:
    [K, D, D] covariances.
  """
  c = np.asarray(covariances, np.float64)
  if covariance_type == 'full':
    return c.reshape(n_components, n_dims, n_dims)
  if covariance_type == 'tied':
    return np.broadcast_to(c, (n_components, n_dims, n_dims)).copy()
  if covariance_type == 'diag':
    return c[:, :, None] * np.eye(n_dims)[None]
  if covariance_type == 'spherical':
    return c[:, None, None] * np.eye(n_dims)[None]
  raise ValueError(f'Unknown covariance type {covariance_type!r}; use one of '
                   f'{", ".join(COVARIANCE_TYPES)}.')


def _str_tuple(names):
  return tuple(str(n) for n in np.asarray(names, dtype=np.str_).reshape(-1))


def _check_knob_prefix(dim_names, knob_names):
  if tuple(dim_names[:len(knob_names)]) != tuple(knob_names):
    raise ValueError(f'The knob names ({", ".join(knob_names)}) must be the '
                     'first dims of z, in order, but z\'s dims are '
                     f'({", ".join(dim_names)}).')


# --- The prior ---------------------------------------------------------------
@dataclasses.dataclass(eq=False)
class GaussianMixturePrior:
  """A Gaussian mixture over z [D], in z units.

  Attributes:
    weights: Component weights [K], summing to 1.
    means: Component means [K, D], z units.
    covariances: Full component covariances [K, D, D], z units squared.
    dim_names: Names of z's dims [D]; the knobs first.
    knob_names: The named knob dims, in order: dim_names[:len(knob_names)].
    data_mean: Per-dim mean [D] of the fitted z (the data's normalization).
    data_std: Per-dim std [D] of the fitted z (1 for constant dims).
    data_min: Per-dim minimum [D] of the fitted z (range for fixed values).
    data_max: Per-dim maximum [D] of the fitted z.
    covariance_type: sklearn covariance type selected by BIC.
    group: Instrument (or other) group it was fitted on; '' for global.
    context_names: The last dims of dim_names that are not z but what a
      sound is drawn for (e.g. REGISTER, its pitch); () for none.
      `over_z` gives the prior over z alone, given them or not.
  """
  weights: np.ndarray
  means: np.ndarray
  covariances: np.ndarray
  dim_names: tuple
  knob_names: tuple
  data_mean: np.ndarray
  data_std: np.ndarray
  data_min: np.ndarray
  data_max: np.ndarray
  covariance_type: str = 'full'
  group: str = ''
  context_names: tuple = ()

  def __post_init__(self):
    self.means = np.asarray(self.means, np.float64)
    if self.means.ndim != 2:
      raise ValueError(f'means must be [K, D], got shape {self.means.shape}.')
    k, d = self.means.shape
    self.weights = np.asarray(self.weights, np.float64).reshape(-1)
    if self.weights.shape != (k,) or np.any(self.weights < 0):
      raise ValueError(f'weights must be {k} non-negative numbers, got '
                       f'{self.weights}.')
    self.weights = self.weights / np.sum(self.weights)
    self.covariances = _symmetrize(np.asarray(self.covariances, np.float64))
    if self.covariances.shape != (k, d, d):
      raise ValueError(f'covariances must be [{k}, {d}, {d}], got shape '
                       f'{self.covariances.shape}.')
    self.dim_names = _str_tuple(self.dim_names)
    self.knob_names = _str_tuple(self.knob_names)
    if len(self.dim_names) != d or len(set(self.dim_names)) != d:
      raise ValueError(f'dim_names must be {d} distinct names, got '
                       f'{self.dim_names}.')
    _check_knob_prefix(self.dim_names, self.knob_names)
    for name in ('data_mean', 'data_std', 'data_min', 'data_max'):
      value = np.asarray(getattr(self, name), np.float64).reshape(-1)
      if value.shape != (d,):
        raise ValueError(f'{name} must have {d} values, got {value.shape}.')
      setattr(self, name, value)
    self.covariance_type = str(self.covariance_type)
    self.group = str(self.group)
    self.context_names = _str_tuple(self.context_names)
    n_context = len(self.context_names)
    if n_context and (self.dim_names[d - n_context:] != self.context_names
                      or n_context > d - len(self.knob_names)):
      raise ValueError(f'context_names {self.context_names} must be the last '
                       f'dims of {self.dim_names}, after the knobs.')

  @property
  def n_components(self):
    return len(self.weights)

  @property
  def n_dims(self):
    return len(self.dim_names)

  def mean(self):
    """The mixture's mean z [D] (sum of weights times component means)."""
    return self.weights @ self.means

  @property
  def z_names(self):
    """dim_names without the context dims."""
    return self.dim_names[:self.n_dims - len(self.context_names)]

  def over_z(self, context=None):
    """The prior over z alone: given the context values, or without them.

    Both are exact: conditioning as `condition` does, and a mixture's
    marginal keeps each component's z block.

    Args:
      context: {context name: value} (e.g. {'pitch': 62.5}); values that
        are None or NaN, and names this prior lacks, are left out, and the
        context dims left are marginalized. None: all of them marginalized.

    Returns:
      A GaussianMixturePrior over z_names, without context dims.
    """
    given = {k: float(v) for k, v in (context or {}).items()
             if k in self.context_names and v is not None
             and np.isfinite(float(v))}
    prior = self.condition(given) if given else self
    keep = [prior.dim_index(n) for n in self.z_names]
    if len(keep) == prior.n_dims:
      return prior
    return GaussianMixturePrior(
        weights=prior.weights, means=prior.means[:, keep],
        covariances=prior.covariances[:, keep][:, :, keep],
        dim_names=self.z_names, knob_names=prior.knob_names,
        data_mean=prior.data_mean[keep], data_std=prior.data_std[keep],
        data_min=prior.data_min[keep], data_max=prior.data_max[keep],
        covariance_type=prior.covariance_type, group=prior.group)

  # --- Names and checks ------------------------------------------------------
  def dim_index(self, name):
    """Index of dim `name` in z; ValueError listing the known names."""
    if name not in self.dim_names:
      raise errors.BadInput(f'Unknown dim {name!r}; the prior knows '
                            f'{", ".join(self.dim_names)}.')
    return self.dim_names.index(name)

  def check_knobs(self, model_knob_names, z_dims=None):
    """Raises ValueError unless the model has this prior's knobs (and z size).

    Args:
      model_knob_names: The model's knob names, in order.
      z_dims: The model's z size, or None not to check it.
    """
    model = _str_tuple(model_knob_names)
    if model != self.knob_names:
      raise errors.BadInput(
          f'The prior was fitted for knobs ({", ".join(self.knob_names)}) '
          f'but the model has knobs ({", ".join(model)}); fit the prior on '
          'this model\'s z.')
    if z_dims is not None and int(z_dims) != self.n_dims:
      raise errors.BadInput(
          f'The prior is over {self.n_dims} z dims but the model has '
          f'{int(z_dims)}; fit the prior on this model\'s z.')

  def clip_fixed(self, fixed):
    """Validates fixed values; limits them where they cannot go.

    A knob may go beyond the range seen in training (to exaggerate a
    sound), up to +-KNOB_LIMIT_STD: a note says it is extrapolated, and
    values past the limit are set to it. A free dim (no meaning of its own)
    is clipped to the training range.

    Args:
      fixed: {dim name: value in z units}.

    Returns:
      clipped: {dim name: float}, in z order.
      messages: One sentence per value beyond the training range (empty if
        none).

    Raises:
      ValueError: an unknown name or a non-finite value.
    """
    clipped, messages = {}, []
    for name in fixed:
      self.dim_index(name)
    for i, name in enumerate(self.dim_names):
      if name not in fixed:
        continue
      value = float(fixed[name])
      if not np.isfinite(value):
        raise errors.BadInput(f'{name}={value} is not a finite number.')
      lo, hi = self.data_min[i], self.data_max[i]
      if lo <= value <= hi:
        pass
      elif name in self.knob_names and abs(value) <= KNOB_LIMIT_STD:
        messages.append(f'{name}={value:g} is beyond the range seen in '
                        f'training [{lo:g}, {hi:g}]: extrapolating.')
      else:
        if name in self.knob_names:
          new = float(np.clip(value, -KNOB_LIMIT_STD, KNOB_LIMIT_STD))
          why = f'knobs go to +-{KNOB_LIMIT_STD:g} std'
        else:
          new = float(np.clip(value, lo, hi))
          why = f'the range seen in training is [{lo:g}, {hi:g}]'
        messages.append(f'{name}={value:g} is out of reach ({why}); using '
                        f'{new:g}.')
        value = new
      clipped[name] = value
    return clipped, messages

  def _clip_and_warn(self, fixed):
    clipped, messages = self.clip_fixed(fixed)
    for message in messages:
      warnings.warn(message, KnobRangeWarning, stacklevel=3)
    return clipped

  # --- Densities --------------------------------------------------------------
  def component_log_probs(self, z):
    """log w_k + log N(z; mu_k, S_k) [n, K]."""
    z = np.atleast_2d(np.asarray(z, np.float64))
    if z.shape[-1] != self.n_dims:
      raise ValueError(f'z must have {self.n_dims} dims, got {z.shape[-1]}.')
    with np.errstate(divide='ignore'):
      log_w = np.log(self.weights)
    return np.stack([log_w[k] + gaussian_log_pdf(z, self.means[k],
                                                 self.covariances[k])
                     for k in range(self.n_components)], axis=-1)

  def log_prob(self, z):
    """Log density of the mixture.

    Args:
      z: [n, D] (or [D]) in z units.

    Returns:
      log p(z) [n], in nats (z units).
    """
    return special.logsumexp(self.component_log_probs(z), axis=-1)

  # --- Conditioning and sampling ----------------------------------------------
  def condition(self, fixed):
    """The exact conditional mixture over the dims not in `fixed`.

    Values outside the training range warn (KnobRangeWarning); see
    clip_fixed for where they are limited.

    Args:
      fixed: {dim name: value in z units}; at least one, not all dims.

    Returns:
      A GaussianMixturePrior over the remaining dims (in z order), with
      weights proportional to w_k N(x_a; mu_a,k, S_aa,k).
    """
    fixed = self._clip_and_warn(fixed)
    return self._condition(fixed)

  def _condition(self, fixed):
    if not fixed:
      return self
    idx_a = np.array([self.dim_index(n) for n in fixed])
    idx_b = np.setdiff1d(np.arange(self.n_dims), idx_a)
    if not len(idx_b):
      raise ValueError('Every dim is fixed; there is nothing to condition.')
    x_a = np.array(list(fixed.values()), np.float64)
    means, covs, log_w = [], [], []
    with np.errstate(divide='ignore'):
      log_weights = np.log(self.weights)
    for k in range(self.n_components):
      mean_b, cov_b, log_marginal = condition_gaussian(
          self.means[k], self.covariances[k], idx_a, x_a)
      means.append(mean_b)
      covs.append(cov_b)
      log_w.append(log_weights[k] + log_marginal)
    log_w = np.array(log_w)
    weights = np.exp(log_w - special.logsumexp(log_w))
    names = [self.dim_names[i] for i in idx_b]
    return GaussianMixturePrior(
        weights=weights, means=np.array(means), covariances=np.array(covs),
        dim_names=names,
        knob_names=[n for n in self.knob_names if n not in fixed],
        data_mean=self.data_mean[idx_b], data_std=self.data_std[idx_b],
        data_min=self.data_min[idx_b], data_max=self.data_max[idx_b],
        covariance_type=self.covariance_type, group=self.group,
        context_names=[n for n in self.context_names if n not in fixed])

  def sample(self, n, fixed=None, temperature=1.0, seed=None,
             others='conditional'):
    """Draws z from the prior, or from its exact conditional given `fixed`.

    Args:
      n: Number of samples.
      fixed: {dim name: value in z units} or None. These dims are set exactly
        (limited as clip_fixed says, with a KnobRangeWarning) and the
        others drawn as `others` says.
      others: 'conditional': from the mixture conditioned on the fixed
        values (they follow what the data ties to them, e.g. brighter
        sounds' noisiness); 'marginal': from the unconditional prior, the
        same draws whatever the fixed values (turning a fixed knob then
        moves nothing else).
      temperature: Scales each component's standard deviations (covariances
        times T^2); 0 gives component means. Component weights are unchanged.
      seed: Seed or np.random.Generator; None for fresh entropy.

    Returns:
      float64 [n, D] in z order.
    """
    temperature = float(temperature)
    if not temperature >= 0:
      raise ValueError(f'temperature must be >= 0, got {temperature}.')
    if others not in OTHERS:
      raise ValueError(f'others must be one of {", ".join(OTHERS)}, not '
                       f'{others!r}.')
    rng = np.random.default_rng(seed)
    fixed = self._clip_and_warn(fixed or {})
    if others == 'marginal':
      out = self._sample(int(n), temperature, rng)
      for name, value in fixed.items():
        out[:, self.dim_index(name)] = value
      return out
    out = np.empty((int(n), self.n_dims))
    for name, value in fixed.items():
      out[:, self.dim_index(name)] = value
    if len(fixed) == self.n_dims:
      return out
    free = [i for i, name in enumerate(self.dim_names) if name not in fixed]
    out[:, free] = self._condition(fixed)._sample(int(n), temperature, rng)
    return out

  def _sample(self, n, temperature, rng):
    """Unconditional samples [n, D]."""
    components = rng.choice(self.n_components, size=n, p=self.weights)
    noise = rng.standard_normal((n, self.n_dims))
    out = np.empty((n, self.n_dims))
    for k in range(self.n_components):
      rows = components == k
      if not np.any(rows):
        continue
      chol = _cholesky(self.covariances[k])
      out[rows] = self.means[k] + temperature * noise[rows] @ chol.T
    return out

  # --- Files ------------------------------------------------------------------
  def to_arrays(self):
    """{field: plain numpy array}; strings as unicode arrays."""
    arrays = {}
    for name in _FIELDS:
      value = getattr(self, name)
      if name in ('dim_names', 'knob_names', 'context_names'):
        value = np.array(list(value), dtype=np.str_).reshape(-1)
      elif name in ('covariance_type', 'group'):
        value = np.array(value, dtype=np.str_)
      arrays[name] = np.asarray(value)
    return arrays

  @classmethod
  def from_arrays(cls, arrays):
    """Inverse of `to_arrays`."""
    kwargs = {}
    for name in _FIELDS:
      if name not in arrays and name in _OPTIONAL_FIELDS:
        kwargs[name] = _OPTIONAL_FIELDS[name]
        continue
      value = np.asarray(arrays[name])
      if name in ('covariance_type', 'group'):
        value = str(value[()])
      kwargs[name] = value
    return cls(**kwargs)

  def save(self, path):
    """Writes this prior alone to an `.npz` file (see `save_priors`)."""
    save_priors(path, {self.group: self})

  @classmethod
  def load(cls, path, group=None, context=None, joint=False):
    """Reads one prior from a file written by `save` or `save_priors`.

    Args:
      path: The `.npz` file.
      group: Which prior; None: the file's only prior, or else the global ''.
      context, joint: As `load_priors` takes them.

    Returns:
      A GaussianMixturePrior.
    """
    priors = load_priors(path, context=context, joint=joint)
    if group is None:
      group = next(iter(priors)) if len(priors) == 1 else ''
    if group not in priors:
      raise errors.BadInput(f'{path} has no prior for group {group!r}; it '
                            f'has {", ".join(repr(g) for g in priors)}.')
    return priors[group]


def save_priors(path, priors):
  """Writes several priors to one `.npz` file of plain arrays.

  Keys: 'format_version', 'groups' (unicode [G]) and '<i>/<field>' for the
  i-th group's fields. Written atomically (temp file, then rename).

  Args:
    path: Destination file (written as named; '.npz' is not appended).
    priors: {group name: GaussianMixturePrior}; '' is the global prior.
  """
  if not priors:
    raise ValueError('There are no priors to save.')
  arrays = {'format_version': np.array(FORMAT_VERSION),
            'groups': np.array([str(g) for g in priors], dtype=np.str_)}
  for i, prior in enumerate(priors.values()):
    for name, value in prior.to_arrays().items():
      arrays[f'{i}/{name}'] = value
  folder = os.path.dirname(os.path.abspath(path))
  os.makedirs(folder, exist_ok=True)
  fd, tmp = tempfile.mkstemp(dir=folder, suffix='.npz.tmp')
  try:
    with os.fdopen(fd, 'wb') as f:
      np.savez(f, **arrays)
    os.replace(tmp, path)
  except BaseException:
    if os.path.exists(tmp):
      os.remove(tmp)
    raise


def load_priors(path, context=None, joint=False):
  """Reads a file written by `save_priors` with allow_pickle=False.

  Args:
    path: The `.npz` file.
    context: {context name: value} each prior is conditioned on where it
      has that context dim (`GaussianMixturePrior.over_z`), e.g. {'pitch':
      60.0} for sounds played around middle C; None: none.
    joint: Return the priors as stored, context dims included (context is
      then ignored).

  Returns:
    {group name: GaussianMixturePrior}, in the saved order: over z alone
    (context dims given or marginalized) unless joint.
  """
  data = contracts.read_npz(path, ('format_version', 'groups'),
                            'a prior .npz written by fit-prior')
  version = int(data['format_version'])
  if version > FORMAT_VERSION:
    raise errors.BadInput(f'{path} is prior format {version}; this version '
                          f'of interpret_ddsp reads up to {FORMAT_VERSION}.')
  priors = {}
  for i, group in enumerate(_str_tuple(data['groups'])):
    try:
      arrays = {name: data[f'{i}/{name}'] for name in _FIELDS
                if name not in _OPTIONAL_FIELDS or f'{i}/{name}' in data}
      priors[group] = GaussianMixturePrior.from_arrays(arrays)
    except (KeyError, ValueError) as e:
      raise errors.BadInput(f'{path} holds no complete prior {group!r} '
                            f'({e}): not a fit-prior output.') from e
    priors[group].group = group
    if not joint:
      priors[group] = priors[group].over_z(context)
  return priors


# --- Fitting -----------------------------------------------------------------
def register_pitch(f0_hz, loudness_db):
  """The pitch a clip sounds at: power-weighted mean over its voiced frames.

  What a register-conditioned prior is fitted on and conditioned by (one
  value per example, from the curves `prepare` stores): loud frames count
  in proportion to their power, so a note's release and the quiet ends of
  a window hardly move it.

  Args:
    f0_hz: f0 per frame, Hz, [..., n_frames]; frames <= 0 Hz are unvoiced.
    loudness_db: ddsp loudness per frame, dB, [..., n_frames].

  Returns:
    MIDI pitch (float) [...]; NaN where no frame is voiced.

  Example:
    >>> f0 = np.array([440.0, 440.0, 220.0, 0.0])
    >>> loud = np.array([-20.0, -20.0, -80.0, 0.0])
    >>> round(float(register_pitch(f0, loud)), 2)  # A4; the soft A3 adds 1e-6
    69.0
  """
  f0_hz = np.asarray(f0_hz, np.float64)
  loudness_db = np.asarray(loudness_db, np.float64)
  voiced = f0_hz > 0
  midi = signals.hz_to_midi(np.where(voiced, f0_hz, 440.0))
  top = np.max(np.where(voiced, loudness_db, -np.inf), axis=-1,
               keepdims=True)
  with np.errstate(invalid='ignore', over='ignore'):
    w = np.where(voiced, 10.0 ** ((loudness_db - top) / 10.0), 0.0)
    total = np.sum(w, axis=-1)
    return np.where(total > 0, np.sum(w * midi, axis=-1) / np.where(
        total > 0, total, 1.0), np.nan)


def normalization(z):
  """Per-dim mean and std [D] of z [n, D]; std 1 for constant dims."""
  mean = np.mean(z, axis=0)
  std = np.std(z, axis=0)
  return mean, np.where(std > 0, std, 1.0)


def max_supported_components(n_examples, max_components):
  """Most components worth trying: at least 2 examples each, at least 1."""
  return int(max(1, min(max_components, n_examples // 2)))


def fit_prior(z, dim_names, knob_names, max_components=8,
              covariance_types=COVARIANCE_TYPES, seed=0, progress=False,
              group='', n_init=1, reg_covar=1e-6, context_names=()):
  """Fits Gaussian mixtures to z and keeps the one with the lowest BIC.

  Args:
    z: Latents [n, D] in z units; knob dims first.
    dim_names: Names [D] of z's dims.
    knob_names: Named knob dims: the first len(knob_names) of dim_names.
    max_components: Largest K tried (capped by `max_supported_components`).
    covariance_types: sklearn covariance types tried.
    seed: random_state of every fit.
    progress: Show a tqdm bar over the fits.
    group: Stored in the prior; '' for the global prior.
    n_init: sklearn's restarts per fit.
    reg_covar: sklearn's diagonal regularization, in standardized units.
    context_names: The last dims of z that are context, not z (e.g.
      (REGISTER,)): fitted jointly, kept apart by `over_z`.

  Returns:
    prior: The selected GaussianMixturePrior, in z units.
    bic_table: JSON-ready dict: 'n_components' [1..K], 'bic' {type: [K] BIC
      of the standardized data, None where the fit failed}, 'selected'
      {'covariance_type', 'n_components', 'bic'}, 'n_examples'. The BIC of z
      itself differs by the same constant for every model, so the choice is
      the same.
  """
  from sklearn import mixture  # pylint: disable=g-import-not-at-top
  z = np.asarray(z, np.float64)
  dim_names, knob_names = _str_tuple(dim_names), _str_tuple(knob_names)
  if z.ndim != 2 or z.shape[1] != len(dim_names):
    raise ValueError(f'z must be [n, {len(dim_names)}] (one column per dim '
                     f'name), got shape {z.shape}.')
  if not len(z):
    raise ValueError('z has no examples to fit a prior on.')
  if not np.all(np.isfinite(z)):
    raise ValueError('z has non-finite values.')
  _check_knob_prefix(dim_names, knob_names)
  unknown = [t for t in covariance_types if t not in COVARIANCE_TYPES]
  if unknown or not covariance_types:
    raise ValueError(f'Unknown covariance types {unknown}; use some of '
                     f'{", ".join(COVARIANCE_TYPES)}.')
  mean, std = normalization(z)
  x = (z - mean) / std
  counts = list(range(1, max_supported_components(len(z), max_components) + 1))
  jobs = [(t, k) for t in covariance_types for k in counts]
  if progress:
    import tqdm  # pylint: disable=g-import-not-at-top
    jobs = tqdm.tqdm(jobs, desc=f'Prior {group or "global"}', unit='fit')
  bic = {t: [None] * len(counts) for t in covariance_types}
  best, best_bic = None, np.inf
  for covariance_type, k in jobs:
    gm = mixture.GaussianMixture(
        n_components=k, covariance_type=covariance_type, random_state=seed,
        n_init=n_init, reg_covar=reg_covar)
    try:
      gm.fit(x)
    except ValueError:  # Ill-defined covariances: leave the BIC out.
      continue
    value = float(gm.bic(x))
    if not np.isfinite(value):
      continue
    bic[covariance_type][k - 1] = value
    if value < best_bic:
      best, best_bic = gm, value
  if best is None:
    raise ValueError('Every Gaussian-mixture fit of z failed.')
  k, d = best.means_.shape
  covs = full_covariances(best.covariances_, best.covariance_type, k, d)
  prior = GaussianMixturePrior(
      weights=best.weights_, means=best.means_ * std + mean,
      covariances=covs * np.outer(std, std)[None],
      dim_names=dim_names, knob_names=knob_names, data_mean=mean,
      data_std=std, data_min=z.min(axis=0), data_max=z.max(axis=0),
      covariance_type=best.covariance_type, group=group,
      context_names=context_names)
  table = {'n_components': counts, 'bic': bic, 'n_examples': int(len(z)),
           'selected': {'covariance_type': best.covariance_type,
                        'n_components': int(k), 'bic': best_bic}}
  return prior, table


def fit_priors_by_group(z, labels, dim_names, knob_names, min_examples=20,
                        **fit_kwargs):
  """The global prior plus one per group (e.g. instrument) with enough data.

  Groups with fewer than `min_examples` examples are skipped and named in one
  warning (also returned in the tables under 'skipped').

  Args:
    z: Latents [n, D] in z units.
    labels: Group of each example [n] (converted with str; '' not allowed).
    dim_names: Names [D] of z's dims.
    knob_names: The knob dims, first in dim_names.
    min_examples: Smallest group that gets its own prior.
    **fit_kwargs: Passed to `fit_prior`.

  Returns:
    priors: {'': global prior, label: prior, ...}.
    bic_tables: {'': table, label: table, ..., 'skipped': {label: count}}.
  """
  z = np.asarray(z, np.float64)
  labels = np.array([str(l) for l in np.asarray(labels).reshape(-1)])
  if len(labels) != len(z):
    raise ValueError(f'There are {len(labels)} labels for {len(z)} examples.')
  if np.any(labels == ''):
    raise ValueError("The group '' is the global prior; give every example a "
                     'non-empty label.')
  priors, tables = {}, {}
  priors[''], tables[''] = fit_prior(z, dim_names, knob_names, group='',
                                     **fit_kwargs)
  skipped = {}
  names, counts = np.unique(labels, return_counts=True)
  for name, count in zip(names, counts):
    if count < min_examples:
      skipped[str(name)] = int(count)
      continue
    priors[name], tables[name] = fit_prior(
        z[labels == name], dim_names, knob_names, group=str(name),
        **fit_kwargs)
  tables['skipped'] = skipped
  if skipped:
    listed = ', '.join(f'{n} ({c})' for n, c in skipped.items())
    warnings.warn(f'No per-group prior for groups with fewer than '
                  f'{min_examples} examples: {listed}; they use the global '
                  'prior.', UserWarning, stacklevel=2)
  return priors, tables


# --- Plot --------------------------------------------------------------------
def plot_bic(bic_table, path):
  """Writes a PNG of BIC against the number of components, per covariance type.

  Args:
    bic_table: As returned by `fit_prior`.
    path: PNG file to write.

  Returns:
    path.
  """
  from matplotlib.backends import backend_agg  # pylint: disable=g-import-not-at-top
  from matplotlib import figure  # pylint: disable=g-import-not-at-top
  fig = figure.Figure(figsize=(6, 4), dpi=100)
  backend_agg.FigureCanvasAgg(fig)
  ax = fig.add_subplot(1, 1, 1)
  counts = np.asarray(bic_table['n_components'])
  for covariance_type, values in bic_table['bic'].items():
    ax.plot(counts, np.array(values, dtype=np.float64), marker='o',
            label=covariance_type)
  selected = bic_table['selected']
  ax.plot([selected['n_components']], [selected['bic']], marker='*',
          markersize=18, color='k', linestyle='none',
          label=f'selected: {selected["covariance_type"]}, '
                f'K={selected["n_components"]}')
  ax.set_xlabel('components K')
  ax.set_ylabel('BIC (standardized z; lower is better)')
  ax.set_xticks(counts)
  if 'n_examples' in bic_table:
    ax.set_title(f'Gaussian-mixture prior, {bic_table["n_examples"]} examples')
  ax.legend()
  fig.tight_layout()
  files.save_figure(fig, path, format='png')
  return path


# --- From an extract-z file ----------------------------------------------------
def fit_z_file(z_path, output, by_instrument=False, max_components=8, seed=0,
               progress=True, register=True):
  """Fits the prior to an extract-z `.npz` and saves it with its BIC plot.

  Args:
    z_path: `.npz` written by extract-z.
    output: Prior `.npz` to write; `<stem>_bic.png` and `<stem>_bic.json`
      go next to it.
    by_instrument: Also fit one mixture per instrument (metadata in z_path).
    max_components: Largest number of components tried.
    seed: Seed of the fits.
    progress: Show a tqdm bar.
    register: Fit z jointly with each example's pitch (REGISTER, from the
      file's 'register_pitch', or its f0 and loudness curves), so that a
      sound can be drawn for the register a score plays in
      (`load_priors(..., context=...)`); examples with no voiced frame are
      left out, and a file without pitches gets a prior over z alone (both
      said in the notes).

  Returns:
    priors: {'': global prior, instrument: prior, ...}.
    tables: BIC tables as `fit_priors_by_group` returns them.
    notes: Warnings raised while fitting, as strings.

  Raises:
    ValueError: by_instrument, but z_path has no instrument names.
  """
  data = contracts.read_npz(z_path, ('z', 'dim_names', 'knob_names'),
                            'an extract-z output')
  z = data['z']
  dims = [str(d) for d in data['dim_names']]
  knobs = [str(k) for k in data['knob_names']]
  labels = data.get('instrument', np.array([]))
  fit = dict(max_components=max_components, seed=seed, progress=progress)
  notes = []
  if register:
    pitch = z_file_pitch(data)
    if pitch is None:
      notes.append(f'{z_path} holds no pitches (register_pitch, or f0_hz '
                   'and loudness_db): the prior is over z alone.')
    else:
      voiced = np.isfinite(pitch)
      if not voiced.all():
        notes.append(f'{int((~voiced).sum())} of {len(pitch)} examples have '
                     'no voiced frame and are left out of the prior.')
      z = np.concatenate([z[voiced], pitch[voiced, None]], axis=1)
      dims = dims + [REGISTER]
      if len(labels):
        labels = np.asarray(labels)[voiced]
      fit['context_names'] = (REGISTER,)
  with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter('always')
    if by_instrument:
      if not any(labels):
        raise errors.BadInput(f'--by_instrument: {z_path} has no instrument '
                              'names (prepare writes them for soundfont and '
                              'NSynth data).')
      labels = [str(l) or 'unknown' for l in labels]
      priors, tables = fit_priors_by_group(z, labels, dims, knobs, **fit)
    else:
      priors, tables = {}, {}
      priors[''], tables[''] = fit_prior(z, dims, knobs, **fit)
  save_priors(output, priors)
  stem = os.path.splitext(output)[0]
  plot_bic(tables[''], stem + '_bic.png')
  files.write_json(stem + '_bic.json', tables)
  return priors, tables, notes + [str(w.message) for w in caught]


def z_file_pitch(data):
  """Each example's `register_pitch` [n] from an extract-z file's arrays;
  None if it keeps neither that nor the f0 and loudness curves."""
  if 'register_pitch' in data:
    return np.asarray(data['register_pitch'], np.float64)
  if 'f0_hz' in data and 'loudness_db' in data:
    return register_pitch(data['f0_hz'], data['loudness_db'])
  return None


def plot_z_scatter(prior, z, path, dims=None, labels=None, samples=None):
  """Writes a PNG of z over two dims with the mixture's 2-sigma ellipses.

  Args:
    prior: GaussianMixturePrior (its marginal over `dims` is drawn).
    z: Training z [n, D] in z units.
    path: PNG file to write.
    dims: Two dim names (default the first two knobs).
    labels: Group of each z [n] (e.g. instrument), for colors.
    samples: Optional z [m, D] drawn from the prior, drawn as stars.

  Returns:
    path.
  """
  from matplotlib.backends import backend_agg  # pylint: disable=g-import-not-at-top
  from matplotlib import figure  # pylint: disable=g-import-not-at-top
  from matplotlib import patches  # pylint: disable=g-import-not-at-top
  dims = list(dims or prior.dim_names[:2])
  idx = [prior.dim_index(d) for d in dims]
  z = np.asarray(z)
  fig = figure.Figure(figsize=(6.5, 5.5), dpi=100)
  backend_agg.FigureCanvasAgg(fig)
  ax = fig.add_subplot(1, 1, 1)
  labels = (np.asarray([str(l) for l in labels]) if labels is not None
            else np.full(len(z), ''))
  for name in np.unique(labels):
    sel = labels == name
    ax.scatter(z[sel, idx[0]], z[sel, idx[1]], s=6, alpha=0.5,
               label=name or 'training z')
  for k in range(prior.n_components):
    cov = prior.covariances[k][np.ix_(idx, idx)]
    values, vectors = np.linalg.eigh(cov)
    angle = np.degrees(np.arctan2(vectors[1, 1], vectors[0, 1]))
    width, height = 4 * np.sqrt(np.maximum(values[::-1], 0))
    ax.add_patch(patches.Ellipse(
        prior.means[k, idx], width, height, angle=angle, fill=False,
        color='k', lw=0.5 + 3 * prior.weights[k]))
  if samples is not None:
    samples = np.asarray(samples)
    ax.scatter(samples[:, idx[0]], samples[:, idx[1]], marker='*', s=180,
               color='crimson', edgecolor='k', label='prior samples', zorder=5)
  ax.set_xlabel(f'{dims[0]} (z units)')
  ax.set_ylabel(f'{dims[1]} (z units)')
  ax.set_title(f'z with the {prior.n_components}-component prior '
               '(2-sigma ellipses, width = weight)', fontsize=9)
  ax.legend(fontsize=7)
  fig.tight_layout()
  files.save_figure(fig, path, format='png')
  return path
