# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""interpret_ddsp.generation.prior: exact conditioning against closed forms written out
here, conditional samples against their moments, BIC fits that recover a known
mixture, .npz round trips without pickle, temperature, and error messages."""

import json

import numpy as np
import pytest
from scipy import stats

from interpret_ddsp.generation import prior as prior_lib

NAMES = ('brightness', 'sharpness', 'free0')
KNOBS = ('brightness', 'sharpness')


def _known_prior(**kwargs):
  """Two 3-D components with correlated dims, knobs first."""
  means = np.array([[0.0, 1.0, -1.0],
                    [2.0, -1.0, 0.5]])
  covs = np.array([[[1.0, 0.6, 0.3],
                    [0.6, 2.0, -0.4],
                    [0.3, -0.4, 0.5]],
                   [[0.5, -0.2, 0.1],
                    [-0.2, 0.8, 0.3],
                    [0.1, 0.3, 1.5]]])
  args = dict(weights=[0.3, 0.7], means=means, covariances=covs,
              dim_names=NAMES, knob_names=KNOBS, data_mean=np.zeros(3),
              data_std=np.ones(3), data_min=np.full(3, -10.0),
              data_max=np.full(3, 10.0), covariance_type='full', group='')
  args.update(kwargs)
  return prior_lib.GaussianMixturePrior(**args)


def _mixture_moments(weights, means, covs):
  """Mean [D] and covariance [D, D] of a Gaussian mixture."""
  mean = np.einsum('k,kd->d', weights, means)
  second = np.einsum('k,kde->de', weights,
                     covs + np.einsum('kd,ke->kde', means, means))
  return mean, second - np.outer(mean, mean)


def _three_cluster_data(n_per=200, seed=0):
  """3 x n_per 5-D points from well-separated, strongly correlated Gaussians.

  Returns:
    z [3 n_per, 5], true means [3, 5], sample means of each cluster [3, 5].
  """
  rng = np.random.default_rng(seed)
  true_means = 3 * np.array([[0.0, 0.0, 0.0, 0.0, 0.0],
                             [8.0, -6.0, 4.0, 0.0, 2.0],
                             [-6.0, 7.0, 0.0, 8.0, -4.0]])
  z = []
  for mean in true_means:
    a = rng.normal(size=(5, 5))
    z.append(rng.multivariate_normal(mean, a @ a.T + 0.3 * np.eye(5),
                                     size=n_per))
  return np.concatenate(z), true_means, np.array([c.mean(0) for c in z])


DIMS5 = ('brightness', 'sharpness', 'noisiness', 'free0', 'free1')
KNOBS5 = ('brightness', 'sharpness', 'noisiness')


@pytest.fixture(scope='module')
def fitted():
  z, true_means, cluster_means = _three_cluster_data()
  prior, table = prior_lib.fit_prior(z, DIMS5, KNOBS5, max_components=5)
  return z, (true_means, cluster_means), prior, table


# --- Conditioning -------------------------------------------------------------
def _expected_given_brightness(prior, x):
  """Conditional of `prior` given dim 0 = x, from scalar formulas.

  Returns:
    weights [K], means [K, D - 1], covariances [K, D - 1, D - 1].
  """
  weights, means, covs = [], [], []
  for w, mu, s in zip(prior.weights, prior.means, prior.covariances):
    s_aa, s_ba = s[0, 0], s[1:, 0]
    # mu_b + S_ba / s_aa (x - mu_a); S_bb - S_ba S_ab / s_aa.
    means.append(mu[1:] + s_ba / s_aa * (x - mu[0]))
    covs.append(s[1:, 1:] - np.outer(s_ba, s_ba) / s_aa)
    # w_k N(x; mu_a, s_aa).
    weights.append(w * np.exp(-(x - mu[0])**2 / (2 * s_aa))
                   / np.sqrt(2 * np.pi * s_aa))
  return np.array(weights) / sum(weights), np.array(means), np.array(covs)


def test_condition_on_one_dim_matches_scalar_closed_form():
  prior = _known_prior()
  x = 1.2  # Between the two components' brightness means.
  cond = prior.condition({'brightness': x})
  weights, means, covs = _expected_given_brightness(prior, x)
  np.testing.assert_allclose(cond.means, means, rtol=1e-12)
  np.testing.assert_allclose(cond.covariances, covs, rtol=1e-12, atol=1e-14)
  np.testing.assert_allclose(cond.weights, weights, rtol=1e-12)
  assert 0.1 < cond.weights[0] < 0.9  # Both components still matter.
  assert cond.dim_names == ('sharpness', 'free0')
  assert cond.knob_names == ('sharpness',)


def test_condition_on_two_dims_matches_matrix_closed_form():
  prior = _known_prior()
  fixed = {'free0': 0.2, 'brightness': 1.0}  # Given out of z order.
  cond = prior.condition(fixed)
  a, b = [0, 2], [1]
  x_a = np.array([1.0, 0.2])
  w = []
  for k in range(2):
    mu, s = prior.means[k], prior.covariances[k]
    inv = np.linalg.inv(s[np.ix_(a, a)])
    np.testing.assert_allclose(
        cond.means[k], mu[b] + s[np.ix_(b, a)] @ inv @ (x_a - mu[a]),
        rtol=1e-10)
    np.testing.assert_allclose(
        cond.covariances[k],
        s[np.ix_(b, b)] - s[np.ix_(b, a)] @ inv @ s[np.ix_(a, b)], rtol=1e-10)
    w.append(prior.weights[k]
             * stats.multivariate_normal(mu[a], s[np.ix_(a, a)]).pdf(x_a))
  np.testing.assert_allclose(cond.weights, np.array(w) / sum(w), rtol=1e-10)
  assert cond.dim_names == ('sharpness',)


def test_conditional_samples_have_fixed_values_and_closed_form_moments():
  prior = _known_prior()
  fixed = {'brightness': 1.2}
  samples = prior.sample(40000, fixed=fixed, seed=1)
  assert samples.shape == (40000, 3)
  assert np.all(samples[:, 0] == 1.2)  # Exactly, not approximately.
  mean, cov = _mixture_moments(*_expected_given_brightness(prior, 1.2))
  np.testing.assert_allclose(samples[:, 1:].mean(axis=0), mean, atol=0.03)
  np.testing.assert_allclose(np.cov(samples[:, 1:].T), cov, atol=0.05)
  # The conditional is not the marginal: sharpness's mean moved.
  marginal_mean, _ = _mixture_moments(prior.weights, prior.means,
                                      prior.covariances)
  assert abs(mean[0] - marginal_mean[1]) > 0.2


def test_unconditional_samples_and_log_prob():
  prior = _known_prior()
  samples = prior.sample(40000, seed=2)
  mean, cov = _mixture_moments(prior.weights, prior.means, prior.covariances)
  np.testing.assert_allclose(samples.mean(axis=0), mean, atol=0.03)
  np.testing.assert_allclose(np.cov(samples.T), cov, atol=0.06)
  z = samples[:50]
  expected = np.log(sum(w * stats.multivariate_normal(m, c).pdf(z)
                        for w, m, c in zip(prior.weights, prior.means,
                                           prior.covariances)))
  np.testing.assert_allclose(prior.log_prob(z), expected, rtol=1e-10)
  far = np.full((1, 3), 200.0)  # exp underflows; logsumexp must not.
  assert np.isfinite(prior.log_prob(far)[0]) and prior.log_prob(far)[0] < -1e3


def test_sampling_is_reproducible_with_a_seed():
  prior = _known_prior()
  np.testing.assert_array_equal(prior.sample(5, seed=3),
                                prior.sample(5, seed=3))
  assert not np.array_equal(prior.sample(5, seed=3), prior.sample(5, seed=4))


# --- Temperature --------------------------------------------------------------
def test_temperature_zero_gives_component_means():
  prior = _known_prior()
  samples = prior.sample(200, temperature=0.0, seed=0)
  is_mean = [np.all(np.isclose(samples, m), axis=1) for m in prior.means]
  assert np.all(is_mean[0] | is_mean[1])
  assert is_mean[0].any() and is_mean[1].any()
  cond = prior.condition({'sharpness': 0.0})
  fixed = prior.sample(100, fixed={'sharpness': 0.0}, temperature=0.0, seed=0)
  assert np.all(fixed[:, 1] == 0.0)
  free = fixed[:, [0, 2]]
  assert np.all(np.isclose(free[:, None], cond.means[None]).all(-1).any(-1))


def test_temperature_scales_the_spread():
  one = _known_prior(weights=[1.0], means=_known_prior().means[:1],
                     covariances=_known_prior().covariances[:1])
  base = one.sample(40000, temperature=1.0, seed=5)
  hot = one.sample(40000, temperature=2.0, seed=5)
  cold = one.sample(40000, temperature=0.5, seed=5)
  np.testing.assert_allclose(np.cov(base.T), one.covariances[0], atol=0.05)
  np.testing.assert_allclose(np.cov(hot.T), 4 * one.covariances[0], rtol=0.05,
                             atol=0.05)
  np.testing.assert_allclose(np.cov(cold.T), 0.25 * one.covariances[0],
                             rtol=0.05, atol=0.02)
  np.testing.assert_allclose(hot.mean(0), one.means[0], atol=0.05)


# --- Fitting ------------------------------------------------------------------
def test_fit_recovers_the_mixture_and_bic_picks_three(fitted):
  _, (true_means, cluster_means), prior, table = fitted
  assert prior.n_components == 3
  assert prior.covariance_type == 'full'  # The clusters are correlated.
  assert table['selected'] == {'covariance_type': 'full', 'n_components': 3,
                               'bic': table['bic']['full'][2]}
  # Match fitted to true means up to permutation.
  dist = np.linalg.norm(prior.means[:, None] - true_means[None], axis=-1)
  order = np.argmin(dist, axis=1)
  assert sorted(order) == [0, 1, 2]
  assert np.max(dist[np.arange(3), order]) < 1.0  # Clusters are 25+ apart.
  # And, tighter, to the means of the points drawn from each cluster.
  np.testing.assert_allclose(prior.means, cluster_means[order], atol=0.02)
  np.testing.assert_allclose(prior.weights, 1 / 3, atol=0.02)
  assert prior.covariances.shape == (3, 5, 5)
  # Every BIC recorded, the selection the smallest.
  assert set(table['bic']) == set(prior_lib.COVARIANCE_TYPES)
  assert table['n_components'] == [1, 2, 3, 4, 5]
  values = np.array([v for vs in table['bic'].values() for v in vs], float)
  assert table['selected']['bic'] == np.nanmin(values)
  json.dumps(table)  # The table is JSON-ready.


def test_fit_stores_z_units_and_normalization(fitted):
  z, _, prior, _ = fitted
  np.testing.assert_allclose(prior.data_mean, z.mean(0))
  np.testing.assert_allclose(prior.data_std, z.std(0))
  np.testing.assert_array_equal(prior.data_min, z.min(0))
  np.testing.assert_array_equal(prior.data_max, z.max(0))
  # The mixture's moments in z units match the data's (EM preserves them).
  mean, cov = _mixture_moments(prior.weights, prior.means, prior.covariances)
  np.testing.assert_allclose(mean, z.mean(0), atol=1e-3)
  np.testing.assert_allclose(cov, np.cov(z.T, bias=True), rtol=0.01, atol=0.01)
  assert prior.dim_names == DIMS5 and prior.knob_names == KNOBS5


@pytest.mark.parametrize('covariance_type', ['diag', 'tied', 'spherical'])
def test_every_covariance_type_is_stored_full_in_z_units(covariance_type):
  rng = np.random.default_rng(0)
  z = np.concatenate([rng.normal([0, 0], [1.0, 3.0], size=(150, 2)),
                      rng.normal([10, -20], [2.0, 0.5], size=(150, 2))])
  prior, table = prior_lib.fit_prior(z * [1, 100], ['a', 'b'], ['a'],
                                     max_components=2,
                                     covariance_types=[covariance_type])
  assert prior.covariance_type == covariance_type
  assert table['selected']['n_components'] == 2
  assert prior.covariances.shape == (2, 2, 2)
  diag = np.sort(np.sqrt(prior.covariances[:, 1, 1]))
  if covariance_type == 'diag':  # Per-component stds of b, in z units.
    np.testing.assert_allclose(diag, [50.0, 300.0], rtol=0.2)
  if covariance_type == 'tied':
    np.testing.assert_allclose(prior.covariances[0], prior.covariances[1])
  if covariance_type == 'spherical':  # Isotropic in standardized units.
    c = prior.covariances / np.outer(prior.data_std, prior.data_std)
    np.testing.assert_allclose(c[:, 0, 0], c[:, 1, 1])
    np.testing.assert_allclose(c[:, 0, 1], 0.0, atol=1e-12)


def test_fit_caps_components_at_what_the_data_supports():
  z = np.random.default_rng(0).normal(size=(5, 2))
  _, table = prior_lib.fit_prior(z, ['a', 'b'], [], max_components=8,
                                 covariance_types=['spherical'])
  assert table['n_components'] == [1, 2]


def test_plot_bic_writes_a_png(fitted, tmp_path):
  path = prior_lib.plot_bic(fitted[3], str(tmp_path / 'bic.png'))
  with open(path, 'rb') as f:
    assert f.read(8) == b'\x89PNG\r\n\x1a\n'


# --- Files --------------------------------------------------------------------
def _assert_same(a, b):
  for name in prior_lib._FIELDS:  # pylint: disable=protected-access
    x, y = getattr(a, name), getattr(b, name)
    if isinstance(x, np.ndarray):
      np.testing.assert_array_equal(x, y)
      assert x.dtype == y.dtype
    else:
      assert x == y, name


def test_save_load_round_trip_without_pickle(fitted, tmp_path):
  prior = fitted[2]
  path = str(tmp_path / 'prior.npz')
  prior.save(path)
  _assert_same(prior, prior_lib.GaussianMixturePrior.load(path))
  with np.load(path, allow_pickle=False) as data:
    assert all(data[k].dtype.kind in 'fiU' for k in data.files)
    assert list(data['0/dim_names']) == list(DIMS5)
  # No '.npz' appended to a name without it.
  other = str(tmp_path / 'prior.bin')
  prior.save(other)
  _assert_same(prior, prior_lib.GaussianMixturePrior.load(other))


def test_several_priors_in_one_file(tmp_path):
  z, _, _ = _three_cluster_data(n_per=60)
  labels = np.repeat(['violin', 'flute', 'oboe'], [120, 50, 10])
  with pytest.warns(UserWarning, match=r'oboe \(10\)'):
    priors, tables = prior_lib.fit_priors_by_group(
        z[:180], labels, DIMS5, KNOBS5, min_examples=20, max_components=3,
        covariance_types=['full', 'diag'])
  assert list(priors) == ['', 'flute', 'violin']
  assert tables['skipped'] == {'oboe': 10}
  assert priors['flute'].group == 'flute'
  np.testing.assert_allclose(priors['flute'].data_mean, z[120:170].mean(0))
  path = str(tmp_path / 'priors.npz')
  prior_lib.save_priors(path, priors)
  loaded = prior_lib.load_priors(path)
  assert list(loaded) == list(priors)
  for group in priors:
    _assert_same(priors[group], loaded[group])
  _assert_same(priors[''], prior_lib.GaussianMixturePrior.load(path))
  _assert_same(priors['violin'],
               prior_lib.GaussianMixturePrior.load(path, group='violin'))
  with pytest.raises(ValueError, match="no prior for group 'oboe'"):
    prior_lib.GaussianMixturePrior.load(path, group='oboe')


# --- Errors -------------------------------------------------------------------
def test_unknown_name_lists_the_known_ones():
  prior = _known_prior()
  with pytest.raises(ValueError, match='brightness, sharpness, free0'):
    prior.sample(3, fixed={'brigthness': 0.5})
  with pytest.raises(ValueError, match="Unknown dim 'warmth'"):
    prior.condition({'warmth': 0.5})


def test_mismatched_model_knobs():
  prior = _known_prior()
  prior.check_knobs(['brightness', 'sharpness'], z_dims=3)
  with pytest.raises(ValueError, match=r'fitted for knobs \(brightness, '
                     r'sharpness\) but the model has knobs \(brightness, '
                     r'noisiness\)'):
    prior.check_knobs(('brightness', 'noisiness'))
  with pytest.raises(ValueError, match='model has knobs'):
    prior.check_knobs(('sharpness', 'brightness'))  # Order matters.
  with pytest.raises(ValueError, match='over 3 z dims but the model has 4'):
    prior.check_knobs(KNOBS, z_dims=4)


def test_knobs_extrapolate_to_3_std_and_free_dims_are_clipped():
  prior = _known_prior(data_min=[-1.0, -2.0, -3.0], data_max=[1.0, 2.0, 3.0])
  # A knob beyond the training range, within +-3 std: kept, with a note.
  with pytest.warns(prior_lib.KnobRangeWarning,
                    match=r'brightness=2.5 is beyond the range seen in '
                          r'training \[-1, 1\]: extrapolating'):
    samples = prior.sample(10, fixed={'brightness': 2.5, 'sharpness': 0.5},
                           seed=0)
  assert np.all(samples[:, 0] == 2.5) and np.all(samples[:, 1] == 0.5)
  # Past 3 std: set to 3 std.
  clipped, messages = prior.clip_fixed({'brightness': 5.0})
  assert clipped == {'brightness': 3.0} and 'out of reach' in messages[0]
  clipped, messages = prior.clip_fixed({'sharpness': -7.0})
  assert clipped == {'sharpness': -3.0} and len(messages) == 1
  with pytest.warns(prior_lib.KnobRangeWarning):
    cond = prior.condition({'brightness': -5.0})
  np.testing.assert_allclose(cond.means, prior.condition(
      {'brightness': -3.0}).means)
def test_invalid_inputs():
  prior = _known_prior()
  with pytest.raises(ValueError, match='first dims of z'):
    _known_prior(knob_names=('sharpness',))
  with pytest.raises(ValueError, match='first dims of z'):
    prior_lib.fit_prior(np.zeros((10, 3)), NAMES, ['free0'])
  with pytest.raises(ValueError, match='temperature'):
    prior.sample(3, temperature=-1.0)
  with pytest.raises(ValueError, match='not a finite number'):
    prior.sample(3, fixed={'brightness': np.nan})
  every = prior.sample(4, fixed={'brightness': 0.1, 'sharpness': 0.2,
                                 'free0': 0.3})
  np.testing.assert_array_equal(every, np.tile([0.1, 0.2, 0.3], (4, 1)))


def test_marginal_others_are_the_same_draws_whatever_the_fixed_value():
  prior = _known_prior()
  a = prior.sample(6, fixed={'brightness': -0.5}, seed=3, others='marginal')
  b = prior.sample(6, fixed={'brightness': 0.5}, seed=3, others='marginal')
  np.testing.assert_array_equal(a[:, 1:], b[:, 1:])
  assert np.all(a[:, 0] == -0.5) and np.all(b[:, 0] == 0.5)
  # They are the unconditional draws of the same seed, the knob overwritten.
  free = prior.sample(6, seed=3)
  np.testing.assert_array_equal(a[:, 1:], free[:, 1:])
  with pytest.raises(ValueError, match='others must be one of'):
    prior.sample(2, others='held')


def test_register_pitch_weighs_frames_by_power():
  hz = lambda m: 440.0 * 2.0 ** ((m - 69.0) / 12.0)
  # Two equally loud notes, A4 and A5: their mean pitch, E5 (75).
  f0 = np.r_[np.full(100, hz(69)), np.full(100, hz(81))]
  assert prior_lib.register_pitch(f0, np.full(200, -20.0)) == pytest.approx(
      75.0, abs=1e-9)
  # The A5 10 dB softer weighs a tenth: (69 + 0.1 * 81) / 1.1.
  loud = np.r_[np.full(100, -20.0), np.full(100, -30.0)]
  assert prior_lib.register_pitch(f0, loud) == pytest.approx(
      (69 + 0.1 * 81) / 1.1, abs=1e-9)
  # Unvoiced frames count for nothing, however loud (half the A5 is now
  # unvoiced at 0 dB): (100 * 69 + 50 * 0.1 * 81) / 105; none voiced: NaN.
  f0[150:] = 0.0
  loud[150:] = 0.0
  assert prior_lib.register_pitch(f0, loud) == pytest.approx(
      (100 * 69 + 5 * 81) / 105, abs=1e-9)
  batch = prior_lib.register_pitch(np.stack([f0, np.zeros(200)]),
                                   np.stack([loud, loud]))
  assert batch.shape == (2,) and np.isnan(batch[1])


# --- Register: z fitted jointly with pitch -----------------------------------
def _register_prior():
  """_known_prior's dims with the last one a context dim named 'pitch'."""
  return _known_prior(dim_names=('brightness', 'sharpness', 'pitch'),
                      context_names=('pitch',))


def test_over_z_marginal_and_given_context_are_the_closed_forms():
  joint = _register_prior()
  assert joint.z_names == ('brightness', 'sharpness')
  marginal = joint.over_z()
  # A mixture's marginal: each component's z block, the same weights.
  assert marginal.dim_names == ('brightness', 'sharpness')
  assert marginal.context_names == ()
  np.testing.assert_allclose(marginal.weights, [0.3, 0.7])
  np.testing.assert_allclose(marginal.means, joint.means[:, :2])
  np.testing.assert_allclose(marginal.covariances,
                             joint.covariances[:, :2, :2])
  # Given pitch = 0.4: mu_b + S_ba / s_aa (x - mu_a), weights w N(x).
  x = 0.4
  given = joint.over_z({'pitch': x})
  weights, means = [], []
  for w, mu, s in zip(joint.weights, joint.means, joint.covariances):
    means.append(mu[:2] + s[:2, 2] / s[2, 2] * (x - mu[2]))
    weights.append(w * np.exp(-(x - mu[2])**2 / (2 * s[2, 2]))
                   / np.sqrt(s[2, 2]))
  np.testing.assert_allclose(given.means, means)
  np.testing.assert_allclose(given.weights, np.array(weights) / sum(weights))
  assert given.dim_names == ('brightness', 'sharpness')
  # NaN, None and names the prior lacks leave the context marginalized.
  for context in ({'pitch': float('nan')}, {'pitch': None}, {'loud': 3.0}):
    np.testing.assert_allclose(joint.over_z(context).means, marginal.means)


def test_context_must_be_the_last_dims_after_the_knobs():
  with pytest.raises(ValueError, match='last dims'):
    _known_prior(context_names=('sharpness',))
  with pytest.raises(ValueError, match='last dims'):
    _known_prior(dim_names=('brightness', 'sharpness', 'pitch'),
                 knob_names=NAMES[:2], context_names=('sharpness', 'pitch'))


def test_register_round_trip_and_older_files_without_context(tmp_path):
  path = str(tmp_path / 'prior.npz')
  prior_lib.save_priors(path, {'': _register_prior()})
  joint = prior_lib.load_priors(path, joint=True)['']
  assert joint.context_names == ('pitch',) and joint.n_dims == 3
  assert prior_lib.load_priors(path)[''].dim_names == ('brightness',
                                                       'sharpness')
  assert prior_lib.GaussianMixturePrior.load(
      path, context={'pitch': 0.4}).means[0, 0] == pytest.approx(
          _register_prior().over_z({'pitch': 0.4}).means[0, 0])
  # A file written before context_names existed reads as no context.
  old = str(tmp_path / 'old.npz')
  prior_lib.save_priors(old, {'': _known_prior()})
  with np.load(old) as data:
    arrays = {k: data[k] for k in data.files if k != '0/context_names'}
  np.savez(old, **arrays)
  loaded = prior_lib.load_priors(old, joint=True)['']
  assert loaded.context_names == () and loaded.dim_names == NAMES


def _hz(midi):
  return 440.0 * 2.0 ** ((np.asarray(midi, np.float64) - 69.0) / 12.0)


def test_fit_z_file_draws_the_timbre_of_the_register(tmp_path):
  # Brightness rises 0.1 per semitone, plus noise of std 0.2: given the
  # pitch, the prior's brightness is 0.1 (pitch - 60) within its noise.
  rng = np.random.default_rng(0)
  n, frames = 600, 50
  pitch = rng.uniform(48, 72, n)
  z = np.stack([0.1 * (pitch - 60) + 0.2 * rng.normal(size=n),
                rng.normal(size=n), rng.normal(size=n)], 1)
  f0 = np.repeat(_hz(pitch)[:, None], frames, 1)
  f0[:5] = 0.0  # Five examples with no voiced frame.
  loud = np.full((n, frames), -25.0)
  z_path, out = str(tmp_path / 'z.npz'), str(tmp_path / 'prior.npz')
  np.savez(z_path, z=z.astype(np.float32), dim_names=np.array(NAMES),
           knob_names=np.array(KNOBS), f0_hz=f0, loudness_db=loud)
  priors, tables, notes = prior_lib.fit_z_file(z_path, out, progress=False)
  assert priors[''].context_names == ('pitch',)
  assert tables['']['n_examples'] == n - 5
  assert any('5 of 600 examples have no voiced frame' in m for m in notes)
  for p in (50.0, 60.0, 70.0):
    draws = prior_lib.GaussianMixturePrior.load(
        out, context={'pitch': p}).sample(4000, seed=1)
    assert draws.shape == (4000, 3)
    assert draws[:, 0].mean() == pytest.approx(0.1 * (p - 60), abs=0.05)
    assert draws[:, 0].std() < 0.3  # The noise (0.2), not the whole spread.
  # Without the register (over every pitch), brightness spreads 0.7.
  assert prior_lib.GaussianMixturePrior.load(out).sample(
      4000, seed=1)[:, 0].std() > 0.6
  # A z file without pitches: a prior over z alone, said in the notes.
  bare = str(tmp_path / 'bare.npz')
  np.savez(bare, z=z.astype(np.float32), dim_names=np.array(NAMES),
           knob_names=np.array(KNOBS))
  priors, _, notes = prior_lib.fit_z_file(bare, out, progress=False)
  assert priors[''].context_names == ()
  assert any('holds no pitches' in m for m in notes)
