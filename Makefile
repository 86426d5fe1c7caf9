# The two commands of the README:
#   make demo   -- set everything up in .venv/ and run the main job
#   make test   -- set everything up in .venv/ and run the whole test suite
# (Magenta ddsp's own test files included, and the slow end-to-end tests).
.PHONY: install install-test demo test test-fast doctor constraints

PY := .venv/bin/python
# Magenta ddsp's installed package: its *_test.py files run in our suite.
DDSP_DIR = $(shell $(PY) -c "import importlib.util as u; print(u.find_spec('ddsp').submodule_search_locations[0])")

install:
	./install.sh

# The test set-up: install plus the system's Chromium (browser tests).
install-test:
	./install.sh --test-tools

demo: install
	.venv/bin/interpret-ddsp demo

# Worker processes (pytest-xdist): one per logical CPU, at most 4; a test
# file stays on one worker, in order (module fixtures, the notebooks' order).
PARALLEL = -n logical --maxprocesses 4 --dist loadfile

test: install-test
	$(PY) -m pytest $(PARALLEL) tests $(DDSP_DIR)

# Our own tests without the slow and upstream ones (for a quick edit loop).
test-fast: install
	$(PY) -m pytest $(PARALLEL) tests -m "not slow"

doctor: install
	.venv/bin/interpret-ddsp doctor

# Re-resolve the pinned working set after changing setup.py's requirements.
constraints:
	rm -rf /tmp/interpret_ddsp-resolve && python3.11 -m venv /tmp/interpret_ddsp-resolve
	/tmp/interpret_ddsp-resolve/bin/pip install -q -e '.[test]'
	/tmp/interpret_ddsp-resolve/bin/pip freeze --exclude-editable | grep -v -i -E '^(crepe|ml-pitch)' > /tmp/interpret_ddsp-freeze.txt
	@echo "Now merge /tmp/interpret_ddsp-freeze.txt into the 'Everything else' part of constraints.txt."
