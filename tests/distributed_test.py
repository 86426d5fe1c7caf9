# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""Two replicas (MirroredStrategy on two logical CPUs): the attribute
regularization spans the global batch, and ddsp's Trainer trains the tiny
TimbreAutoencoder with it.

Logical devices must be set before TensorFlow initializes them, which this
process has already done, so each case runs in a fresh interpreter that
prints its results as JSON; the assertions are made here.
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import REPO

_PRELUDE = """
import json
import interpret_ddsp
import numpy as np
import tensorflow as tf
cpus = tf.config.list_physical_devices('CPU')
tf.config.set_logical_device_configuration(
    cpus[0], [tf.config.LogicalDeviceConfiguration()] * 2)
strategy = tf.distribute.MirroredStrategy(['/cpu:0', '/cpu:1'])
N = strategy.num_replicas_in_sync

def local(x):
  return [v.numpy() for v in strategy.experimental_local_results(x)]
"""

# Each loss per replica on its half of a global batch of 8, and on the
# whole batch in one replica; values and gradients w.r.t. the latents.
_LOSS_SCRIPT = _PRELUDE + """
from interpret_ddsp.training import losses
B = 8
rng = np.random.default_rng(0)
knobs = rng.normal(size=(B, 3)).astype(np.float32)
attributes = (knobs + rng.normal(size=(B, 3))).astype(np.float32)
mask = np.ones((B, 3), np.float32)
mask[1] = 0.0  # An example of replica 0 and one dim of replica 1 masked.
mask[6, 2] = 0.0
ar = losses.AttributeRegularizationLoss(weight=1.0, delta=3.0)
sup = losses.DescriptorSupervisionLoss(weight=1.0)

def value_and_grad(loss, k, a, m):
  with tf.GradientTape() as tape:
    tape.watch(k)
    value = loss(k, a, m)
  return value, tape.gradient(value, k)

def halves(x):
  return strategy.experimental_distribute_values_from_function(
      lambda ctx: tf.constant(
          x[ctx.replica_id_in_sync_group * B // N:
            (ctx.replica_id_in_sync_group + 1) * B // N]))

@tf.function
def per_replica(loss, k, a, m):
  return strategy.run(lambda *args: value_and_grad(loss, *args),
                      args=(k, a, m))

result = {'num_replicas': N}
# (A per-replica mean matches the global one only with equal masks.)
for name, loss, m in (('ar', ar, mask), ('supervision', sup, 1 + 0 * mask)):
  single, single_grad = value_and_grad(loss, tf.constant(knobs), attributes,
                                       m)
  values, grads = per_replica(loss, halves(knobs), halves(attributes),
                              halves(m))
  result[name] = {
      'single': float(single), 'replicas': [float(v) for v in local(values)],
      'single_grad': single_grad.numpy().tolist(),
      'replica_grad': np.concatenate(local(grads)).tolist()}
# What each replica would get from its own half alone (no all-gather).
result['ar']['halves_alone'] = [
    float(losses.attribute_regularization(knobs[i * B // N:(i + 1) * B // N],
                                          attributes[i * B // N:
                                                     (i + 1) * B // N],
                                          3.0, mask[i * B // N:
                                                    (i + 1) * B // N]))
    for i in range(N)]
print('RESULT ' + json.dumps(result))
"""

# A few steps of ddsp's Trainer on timbre_ae_learned_tiny.gin (the design
# with every timbre loss, the consistency loss's perturbed decode included),
# global batch 4.
_TRAIN_SCRIPT = _PRELUDE + """
from ddsp.training import trainers
from interpret_ddsp.training import train
import timbre_batch
STEPS = 2
batch = timbre_batch.make_batch(noise=(0.0, 0.03, 0.003, 0.01))
train.parse_gin(['models/timbre_ae_learned_tiny.gin'])
tf.keras.utils.set_random_seed(0)
with strategy.scope():
  model = train.build_model()
  trainer = trainers.Trainer(model, strategy, learning_rate=1e-3)
  # The same model on the whole batch, before any step (in the scope: the
  # call creates the variables; cross-replica: no all-gather).
  _, single = model({k: tf.constant(v) for k, v in batch.items()},
                    return_losses=True, training=True)
train.build_optimizer(trainer)  # As train() does: the step traces once.
PARTS = {'encoder': model.encoder, 'decoder': model.decoder}
before = {k: [v.numpy() for v in p.trainable_variables]
          for k, p in PARTS.items()}
dataset = tf.data.Dataset.from_tensor_slices(batch).repeat().batch(
    4, drop_remainder=True)
iterator = iter(trainer.distribute_dataset(dataset))
steps = [{k: float(v) for k, v in trainer.train_step(iterator).items()}
         for _ in range(STEPS)]
after = {k: [v.numpy() for v in p.trainable_variables]
         for k, p in PARTS.items()}
print('RESULT ' + json.dumps({
    'num_replicas': N,
    'per_replica_batch': int(local(next(iterator)['audio'])[0].shape[0]),
    'single': {k: float(v) for k, v in single.items()},
    'steps': steps,
    'step': int(trainer.step.numpy()),
    'change': {k: [float(np.abs(a - b).max())
                   for a, b in zip(after[k], before[k])] for k in PARTS},
    'n_variables': len(model.trainable_variables),
    'replica_mismatch': max(
        float(np.abs(v.values[0].numpy() - v.values[1].numpy()).max())
        for v in model.trainable_variables),
}))
"""


def _run(script, timeout):
  env = dict(os.environ)
  env['PYTHONPATH'] = os.pathsep.join(
      [os.path.join(REPO, 'tests')] +
      ([env['PYTHONPATH']] if env.get('PYTHONPATH') else []))
  out = subprocess.run([sys.executable, '-c', script], cwd=REPO, env=env,
                       capture_output=True, text=True, timeout=timeout,
                       check=False)
  lines = [l for l in out.stdout.splitlines() if l.startswith('RESULT ')]
  assert out.returncode == 0 and lines, out.stdout[-3000:] + out.stderr[-5000:]
  return json.loads(lines[-1][len('RESULT '):])


@pytest.fixture(scope='module')
def loss_results():
  return _run(_LOSS_SCRIPT, timeout=300)


def test_ar_loss_per_replica_equals_the_global_batch_loss(loss_results):
  ar = loss_results['ar']
  assert loss_results['num_replicas'] == 2
  assert ar['replicas'] == pytest.approx([ar['single']] * 2, abs=1e-5)
  # Each half alone would give other values: the pairs span both replicas.
  assert max(abs(h - ar['single']) for h in ar['halves_alone']) > 1e-2


def test_ar_gradient_is_weighted_like_the_per_replica_losses(loss_results):
  """Each replica's latents get num_replicas x the single-replica gradient
  of the global loss (the all-gather's gradient sums over replicas), as a
  per-replica mean loss does once the optimizer sums the replicas'
  gradients: the AR weight means the same on any number of replicas."""
  for name in ('ar', 'supervision'):
    single = np.array(loss_results[name]['single_grad'])
    replica = np.array(loss_results[name]['replica_grad'])
    assert np.abs(single).max() > 1e-3
    np.testing.assert_allclose(replica, 2 * single, atol=1e-5)
  # Masked latents get no gradient.
  assert np.all(np.array(loss_results['ar']['replica_grad'])[1] == 0.0)


@pytest.mark.slow
def test_trainer_trains_the_timbre_autoencoder_on_two_replicas():
  r = _run(_TRAIN_SCRIPT, timeout=600)
  assert r['num_replicas'] == 2 and r['per_replica_batch'] == 2
  assert r['step'] == 2
  for step in r['steps']:
    assert set(step) == {'spectral_loss', 'ar_loss', 'descriptor_loss',
                         'consistency_loss', 'consistency_loss_perturbed',
                         'total_loss'}
    assert all(np.isfinite(list(step.values()))), step
  # Step 0 (before the first update) sees the global batch as one replica
  # would: the AR pairs span both replicas' examples.
  first, single = r['steps'][0], r['single']
  assert first['ar_loss'] == pytest.approx(single['ar_loss'], rel=1e-4)
  assert first['descriptor_loss'] == pytest.approx(single['descriptor_loss'],
                                                   rel=1e-4)
  assert first['spectral_loss'] == pytest.approx(single['spectral_loss'],
                                                 rel=0.01)  # Noise differs.
  # Every variable moved, encoder and decoder alike, identically on both.
  change = r['change']
  assert len(change['encoder']) + len(change['decoder']) == r['n_variables']
  assert all(c > 0 for c in change['encoder'] + change['decoder']), change
  assert r['replica_mismatch'] < 1e-6
  # The perturbed consistency term draws fresh knob offsets each step.
  def steady(step):
    return step['total_loss'] - step['consistency_loss_perturbed']
  assert steady(r['steps'][-1]) < steady(r['steps'][0])
