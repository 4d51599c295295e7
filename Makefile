# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
DEMO   := build/demo
ASSIGNMENTS := regularization optimization
# The simulated class `make demo` grades (`make demo CLASS_SIZE=1000` for a bigger one).
CLASS_SIZE ?= 200
# The simulated class `make bench` grades; `make bench BENCH_N=1000` for the issue's figure.
BENCH_N ?= 100

.PHONY: install demo test bench clean help

help:  ## List the targets.
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

install: $(VENV)/.installed  ## Create .venv and install the package with what its tests need (torch included).

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

demo: install  ## Release both assignments, grade their examples, grade a simulated class.
	@for a in $(ASSIGNMENTS); do \
	  $(PY) -m autograder release $$a --out $(DEMO)/$$a-release --force || exit 1; \
	done
	@for a in $(ASSIGNMENTS); do for kind in correct partly_wrong stub; do \
	  echo; echo "== autograder grade $$a assignments/$$a/examples/$$kind"; \
	  $(PY) -m autograder grade $$a assignments/$$a/examples/$$kind --out $(DEMO)/results/$$a-$$kind.json || exit 1; \
	done; done
	$(PY) -m autograder simulate optimization --n $(CLASS_SIZE) --out $(DEMO)/class --force
	$(PY) -m autograder grade-all optimization $(DEMO)/class --out $(DEMO)/class-results --jobs 2 --regrade
	@echo; echo "Student releases and results.json files are under $(DEMO)/; the class report is $(DEMO)/class-results/report.html"

test: install  ## Run the whole test suite.
	$(PY) -m pytest -q --durations=15

bench: install  ## Time grading cold, per call and for a class, beside nbgrader and otter (`make bench BENCH_N=1000` for the full class).
	BENCH_N=$(BENCH_N) $(PY) -m autograder.bench

clean:  ## Remove build output (keeps .venv).
	rm -rf build
