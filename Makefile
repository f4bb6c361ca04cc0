# Research compendium of Sie et al. (2013), "Goals, motivation for, and outcomes of personal
# learning through networks: Results of a Tweetstorm". `make` alone lists the targets.
#
# Every pipeline rule has real files as targets: a notebook runs again only when its notebook,
# its parameter file, its inputs, the package sources or the environment changed.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules --warn-undefined-variables

# ---------------------------------------------------------------------------------------------
# The environment: an active conda environment other than `base` (made from environment.yml) is
# used as it is; otherwise a local virtual environment .venv is built with pip from the pinned
# requirements.txt, the one source of truth that environment.yml is generated from.
# ---------------------------------------------------------------------------------------------
CONDA_DEFAULT_ENV ?=
CONDA_PREFIX ?=
BOOTSTRAP_PYTHON ?= python3.11
ifneq ($(filter-out base,$(CONDA_DEFAULT_ENV)),)
  PYTHON := $(CONDA_PREFIX)/bin/python
  ENV_STAMP := build/env-conda.stamp
else
  PYTHON := .venv/bin/python
  ENV_STAMP := .venv/.installed
endif
NBRUN := $(PYTHON) -m tweetstorm.nbrun
# The notebooks import the package: a change to any of its sources reruns the pipeline.
PKG := $(sort $(wildcard src/tweetstorm/*.py src/tweetstorm/*/*.py src/tweetstorm/*/*/*.py src/tweetstorm/*.mplstyle))
NB_DEPS := $(ENV_STAMP) $(PKG)

# ---------------------------------------------------------------------------------------------
# Files of each step. data/raw/study.yml is the one place that describes the study: its export,
# codebook, coding sheets and optional files. `python -m tweetstorm.study makefile` turns it (with
# the codebook and the output names in params/) into build/study.mk: the raw inputs IN_<n> and the
# outputs OUT_<n> of each notebook, per-question names included. make regenerates it when one of
# those files changes and reads it again. The notebooks read the study file themselves.
# ---------------------------------------------------------------------------------------------
STUDY := data/raw/study.yml
STUDY_MK := build/study.mk
# Targets that need no study (and must work without an environment or with a broken study file).
NO_STUDY_GOALS := help env clean distclean environment.yml check-clean data lab test-unit
ifneq ($(RAW_EXPORT)$(RAW_PARTICIPANTS)$(RAW_PLN)$(CODEBOOK)$(SHEETS)$(ADJUDICATION),)
  $(error the study's files are set in data/raw/study.yml (keys export, participants, pln, codebook, coding_sheets, adjudication), not on make's command line; edit it and run make all)
endif
NEED_STUDY := $(if $(MAKECMDGOALS),$(filter-out $(NO_STUDY_GOALS),$(MAKECMDGOALS)),)

STEPS := 01 02 03 04 05
STEP_NAMES := 01-ingest 02-coding 03-reliability 04-descriptives 05-pln-network
$(foreach n,$(STEPS),$(eval OUT_$(n) :=)$(eval IN_$(n) :=))
STUDY_CODEBOOK :=
STUDY_SHEETS_DIR :=
STUDY_ADJUDICATION :=
STUDY_PLN :=
STUDY_ILLUSTRATIVE :=
ifneq ($(NEED_STUDY),)
include $(STUDY_MK)
endif

# (the environment only when it is missing: make -n -B must not rebuild it while it remakes this)
$(STUDY_MK): $(STUDY) $(wildcard params/*.yml) $(PKG) $(if $(wildcard $(ENV_STAMP)),,$(ENV_STAMP))
	@mkdir -p $(@D)
	$(PYTHON) -m tweetstorm.study makefile > $@.tmp && mv $@.tmp $@

# The state of each step's raw inputs: a listing (name, size, modification time) of its raw files
# in build/inputs/<step>.list, rewritten only when it changes. A step depends on it, so it reruns
# when a coding sheet is added or removed (the SET of rater_<R>.csv / rater_<R>.xlsx files is
# tracked, not only the files that exist) and when raw files are replaced by files with OLDER
# times (a copied or unpacked data set), which time stamps alone would take for up to date.
SHEET_FILES := $(if $(STUDY_SHEETS_DIR),$(sort $(wildcard $(STUDY_SHEETS_DIR)/rater_*.csv $(STUDY_SHEETS_DIR)/rater_*.xlsx)))
IN_02 += $(SHEET_FILES)
differ = $(strip $(filter-out $(1),$(2)) $(filter-out $(2),$(1)))
ifneq ($(NEED_STUDY),)
$(foreach n,$(STEPS),$(eval STATE_$(n) := $(shell stat -c '%n:%s:%Y' $(sort $(filter-out data/processed/% results/% figures/% build/%,$(IN_$(n)))) 2>/dev/null)))
$(foreach n,$(STEPS),$(if $(or $(call differ,$(STATE_$(n)),$(file < build/inputs/$(n).list)),$(if $(wildcard build/inputs/$(n).list),,missing)),$(shell mkdir -p build/inputs)$(file > build/inputs/$(n).list,$(STATE_$(n)))))
endif
$(foreach n,$(STEPS),$(eval IN_$(n) += build/inputs/$(n).list))
build/inputs/%.list: ;

NB_01 := notebooks/01-ingest.ipynb
NB_02 := notebooks/02-coding.ipynb
NB_03 := notebooks/03-reliability.ipynb
NB_04 := notebooks/04-descriptives.ipynb
NB_05 := notebooks/05-pln-network.ipynb
# without an adjudication file the pipeline stops after reliability (see `all`)
PIPELINE_STEPS := $(if $(STUDY_ADJUDICATION),$(STEPS),01 02 03)

READMES := results/README.md figures/README.md data/processed/README.md
OUTPUTS := $(foreach n,$(PIPELINE_STEPS),$(OUT_$(n)))
NOTEBOOKS := $(foreach n,$(STEPS),$(NB_$(n)))
# the notebooks that read a file (for the message about a missing raw input)
readers = $(strip $(foreach n,$(STEPS),$(if $(filter $(1),$(IN_$(n))),$(NB_$(n)))))
# Files in the output folders that this study does not write: left over from another study (or
# an older codebook); `make all` removes them, so git status shows what the new study changed.
STALE := $(if $(NEED_STUDY),$(filter-out $(OUTPUTS) $(READMES),$(wildcard data/processed/* results/* figures/*)))

.PHONY: print-outputs prune-stale adjudication-todo help all env data sheets lab test test-unit test-notebooks bench report check-clean clean distclean

help: ## show this list of targets
	@echo "Tweetstorm compendium (Sie et al. 2013). Reproduce everything: make all; check it: make test"
	@grep -hE '^[a-zA-Z_.-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([^:]+):.*## (.*)/  \1\t\2/' | expand -t 20

all: $(OUTPUTS) $(READMES) $(if $(STALE),prune-stale) $(if $(STUDY_ADJUDICATION),,adjudication-todo) ## run every notebook from data/raw/ to data/processed/, results/ and figures/

prune-stale:
	rm -f $(STALE)

# No adjudication file: notebook 02 wrote the units without a majority to build/ instead.
adjudication-todo: $(OUTPUTS)
	@n=$$(( $$(wc -l < build/adjudication_todo.csv) - 1 )); echo "stopped after reliability: data/raw/study.yml names no adjudication file. $$n unit(s) without a majority are listed in build/adjudication_todo.csv (the adjudication file's columns): fill in adjudicated_code and adjudicator, save it as data/raw/adjudication.csv, add 'adjudication: data/raw/adjudication.csv' to data/raw/study.yml, and run make all again." >&2; exit 1

$(READMES) &: $(STUDY) $(STUDY_CODEBOOK) $(wildcard params/*.yml) src/tweetstorm/study.py
	$(PYTHON) -m tweetstorm.study readmes

env: $(ENV_STAMP) ## build the environment (.venv from requirements.txt, or check the active conda env)

.venv/.installed: requirements.txt pyproject.toml
	@command -v $(BOOTSTRAP_PYTHON) >/dev/null || { echo "error: $(BOOTSTRAP_PYTHON) not found; install Python 3.11, or run 'make BOOTSTRAP_PYTHON=/path/to/python3.11 ...'" >&2; exit 1; }
	@$(BOOTSTRAP_PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || { echo "error: $(BOOTSTRAP_PYTHON) is not Python 3.11, which the pinned requirements are for" >&2; exit 1; }
	$(BOOTSTRAP_PYTHON) -m venv .venv
	.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation --editable .
	touch $@

build/env-conda.stamp: requirements.txt pyproject.toml
	@$(PYTHON) -c 'import tweetstorm, papermill, nbval' 2>/dev/null || { echo "error: the conda environment '$(CONDA_DEFAULT_ENV)' lacks the compendium's packages; run: conda env update --file environment.yml --prune" >&2; exit 1; }
	@mkdir -p build && touch $@

environment.yml: requirements.txt tools/write_environment_yml.py ## regenerate environment.yml from requirements.txt
	$(PYTHON) tools/write_environment_yml.py

# ---------------------------------------------------------------------------------------------
# The pipeline: one rule per notebook. nbrun executes the notebook in place with its parameter
# file, touches the declared outputs on success and deletes them on failure.
# ---------------------------------------------------------------------------------------------
# One rule per step: nbrun runs the notebook in place with its parameter file (the analysis
# settings); the notebook reads the study file, so its defaults are what make runs.
define step
$$(OUT_$(1)) &: $$(NB_$(1)) params/$$(basename $$(notdir $$(NB_$(1)))).yml $$(IN_$(1)) $$(NB_DEPS)
	$$(NBRUN) $$< -f params/$$(basename $$(notdir $$(NB_$(1)))).yml --outputs $$(OUT_$(1))
endef
$(foreach n,$(STEPS),$(if $(OUT_$(n)),$(eval $(call step,$(n)))))

# A missing raw input stops make with its name and the notebooks that read it.
data/raw/%:
	@test -e $@ || { echo "error: $@ is missing (read by $(or $(call readers,$@),a notebook)). Restore it (git checkout -- $@), regenerate the illustrative data (make data), or point make at your own file (README.md, 'Run it on your own export')." >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# Around the pipeline
# ---------------------------------------------------------------------------------------------
data: $(ENV_STAMP) ## regenerate the illustrative raw data (seeded; NOT part of all: raw data is input)
	$(PYTHON) -m tweetstorm.generate --seed 20130601 --out data/raw

sheets: data/processed/posts.parquet $(STUDY_CODEBOOK) ## write blank coding sheets (xlsx + csv) for raters R1-R3 to build/coding_sheets/
	$(PYTHON) -m tweetstorm.coding sheets --posts data/processed/posts.parquet --codebook $(STUDY_CODEBOOK) --raters R1,R2,R3 --out build/coding_sheets

lab: $(ENV_STAMP) ## open JupyterLab on the notebooks in this environment
	$(PYTHON) -m jupyterlab --notebook-dir=. --ServerApp.default_url=/lab/tree/notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

report: build/report.html build/report.pdf ## the results as a publication: build/report.html and build/report.pdf

build/report.html build/report.pdf &: $(OUTPUTS) $(ENV_STAMP) $(PKG) $(STUDY_CODEBOOK) $(STUDY) CITATION.cff
	$(PYTHON) -m tweetstorm.report --out build/report.html --pdf build/report.pdf

NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

test: all ## the tests and nbval in one pytest run: notebooks rerun, their numbers compared
	TWEETSTORM_AFTER_MAKE_ALL=1 $(PYTHON) -m pytest tests $(NOTEBOOKS) $(NBVAL)

test-unit: $(ENV_STAMP) ## the unit and integration tests only (tests/)
	$(PYTHON) -m pytest tests

test-notebooks: $(ENV_STAMP) ## nbval: rerun every notebook and compare its outputs with the committed ones
	$(PYTHON) -m pytest $(NOTEBOOKS) $(NBVAL)

check-clean: ## fail if the working tree differs from git (run after make all: outputs must be byte-identical)
	@status=$$(git status --porcelain); if [ -n "$$status" ]; then echo "error: make all changed tracked files or left untracked ones:" >&2; echo "$$status" >&2; git --no-pager diff --stat >&2; exit 1; fi; echo "working tree clean: every committed output was reproduced byte for byte"

bench: $(ENV_STAMP) ## benchmarks: make all (clean and no-op), reliability, ingest; figures in benchmarks/out/
	$(PYTHON) benchmarks/bench_make.py
	$(PYTHON) benchmarks/bench_reliability.py
	$(PYTHON) benchmarks/bench_reliability_memory.py
	$(PYTHON) benchmarks/bench_ingest.py
	$(PYTHON) benchmarks/bench_scale.py

clean: ## delete every generated output (data/processed, results, figures, build); notebooks stay
	rm -rf build
	find data/processed results figures -type f ! -name .gitkeep ! -name README.md -delete

print-outputs: # (for tests) every file make all writes
	@echo $(OUTPUTS) $(READMES)

distclean: clean ## clean, and delete the virtual environment
	rm -rf .venv src/*.egg-info
