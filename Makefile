# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
DEMO   := build/demo

.PHONY: install demo test bench clean help

help:  ## List the targets.
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

install: $(VENV)/.installed  ## Create .venv and install the package with what its tests need (torch included).

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

demo: install  ## Run the main job on the bundled examples.
	$(PY) -m autograder release regularization --out $(DEMO)/regularization-release --force
	$(PY) -m autograder release optimization --out $(DEMO)/optimization-release --force
	@echo "Student releases written under $(DEMO)/"

test: install  ## Run the whole test suite.
	$(PY) -m pytest -q

clean:  ## Remove build output (keeps .venv).
	rm -rf build
