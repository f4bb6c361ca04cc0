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
# Files of each step. Raw inputs are read-only; every other file here is rebuilt by `make all`.
# The notebooks get these names as parameters (-p below), so make and the notebooks agree on
# every file through the parameters. To run on your own export: make all RAW_EXPORT=path/to/it
# (several files, folders or zips: separate them by spaces).
# ---------------------------------------------------------------------------------------------
RAW_EXPORT ?= data/raw/tweetstorm_twarc2.jsonl
RAW_PARTICIPANTS ?= data/raw/participants.csv
RAW_PLN ?= data/raw/pln_identification.csv
CODEBOOK ?= data/raw/codebook.yml
SHEETS ?= data/raw/coding
ADJUDICATION ?= data/raw/adjudication.csv
# the completed coding sheets: every rater_<R>.csv and rater_<R>.xlsx in the SHEETS folder
RATER_SHEETS := $(sort $(wildcard $(SHEETS)/rater_*.csv $(SHEETS)/rater_*.xlsx))

POSTS := data/processed/posts.parquet
INGEST_REPORT := data/processed/ingest_report.csv
PARTICIPANTS := data/processed/participants.parquet
PLN_CONTACTS := data/processed/pln_contacts.parquet
RATINGS := data/processed/ratings.parquet
CONSENSUS := data/processed/consensus.parquet
CATEGORY_AGREEMENT := results/reliability_categories.csv

# Every file a notebook writes is a target of its rule, so a deleted output is rebuilt and nbrun
# checks that each one was written. A table is .csv + .md + .tex, a figure .png + .svg + .txt.
table = $(foreach t,$(1),results/$(t).csv results/$(t).md results/$(t).tex)
figure = $(foreach f,$(1),figures/$(f).png figures/$(f).svg figures/$(f).txt)
QUESTIONS := q1_goals q2_motivation q3_outcomes q4_perception
empty :=
space := $(empty) $(empty)
yaml_list = [$(subst $(space),$(empty)$(comma) ,$(strip $(1)))]
comma := ,

NB_01 := notebooks/01-ingest.ipynb
IN_01 := $(RAW_EXPORT) $(RAW_PARTICIPANTS) $(RAW_PLN)
OUT_01 := $(POSTS) $(INGEST_REPORT) $(PARTICIPANTS) $(PLN_CONTACTS)
P_01 := -p inputs '$(call yaml_list,$(RAW_EXPORT))' -p participants_path $(RAW_PARTICIPANTS) \
        -p pln_path $(RAW_PLN) -p posts_out $(POSTS) -p report_out $(INGEST_REPORT) \
        -p participants_out $(PARTICIPANTS) -p pln_out $(PLN_CONTACTS)

NB_02 := notebooks/02-coding.ipynb
IN_02 := $(POSTS) $(CODEBOOK) $(RATER_SHEETS) $(ADJUDICATION)
OUT_02 := $(RATINGS) $(CONSENSUS)
P_02 := -p posts_path $(POSTS) -p codebook_path $(CODEBOOK) -p sheets $(SHEETS) \
        -p adjudication_path $(ADJUDICATION) -p ratings_out $(RATINGS) -p consensus_out $(CONSENSUS)

NB_03 := notebooks/03-reliability.ipynb
IN_03 := $(RATINGS) $(CONSENSUS) $(CODEBOOK)
OUT_03 := $(call table,reliability_coefficients reliability_categories reliability_adjudication) \
          $(call figure,reliability_confusion_Q1 reliability_confusion_Q2 reliability_confusion_Q3 reliability_confusion_Q4)
P_03 := -p ratings_path $(RATINGS) -p consensus_path $(CONSENSUS) -p codebook_path $(CODEBOOK)

NB_04 := notebooks/04-descriptives.ipynb
IN_04 := $(CONSENSUS) $(RATINGS) $(POSTS) $(PARTICIPANTS) $(CODEBOOK) $(CATEGORY_AGREEMENT)
OUT_04 := $(call table,$(QUESTIONS:%=%_frequencies) $(QUESTIONS:%=%_rank_by_rater) association_tests association_residuals \
                       cooccurrence_matrix cooccurrence_pairs participation_per_participant \
                       participation_concentration participation_answers_per_question \
                       participation_timeline participation_question_times) \
          $(call figure,$(QUESTIONS:%=%_categories) participation cooccurrence)
P_04 := -p consensus_path $(CONSENSUS) -p ratings_path $(RATINGS) -p posts_path $(POSTS) -p participants_path $(PARTICIPANTS) \
        -p category_agreement_path $(CATEGORY_AGREEMENT) -p codebook_path $(CODEBOOK)

NB_05 := notebooks/05-pln-network.ipynb
IN_05 := $(PLN_CONTACTS) $(PARTICIPANTS)
OUT_05 := $(call table,pln_summary pln_ego pln_most_named) $(call figure,pln_composition pln_network)
P_05 := -p contacts_path $(PLN_CONTACTS) -p participants_path $(PARTICIPANTS)

STEPS := 01 02 03 04 05
OUTPUTS := $(foreach n,$(STEPS),$(OUT_$(n)))
NOTEBOOKS := $(foreach n,$(STEPS),$(NB_$(n)))
# the notebooks that read a file (for the message about a missing raw input)
readers = $(strip $(foreach n,$(STEPS),$(if $(filter $(1),$(IN_$(n))),$(NB_$(n)))))

.PHONY: print-outputs help all env data sheets lab test test-unit test-notebooks bench report check-clean clean distclean

help: ## show this list of targets
	@echo "Tweetstorm compendium (Sie et al. 2013). Reproduce everything: make all; check it: make test"
	@grep -hE '^[a-zA-Z_.-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([^:]+):.*## (.*)/  \1\t\2/' | expand -t 20

all: $(OUTPUTS) ## run every notebook from data/raw/ to data/processed/, results/ and figures/

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
# settings) and the file names above (-p).
define step
$$(OUT_$(1)) &: $$(NB_$(1)) params/$$(basename $$(notdir $$(NB_$(1)))).yml $$(IN_$(1)) $$(NB_DEPS)
	$$(NBRUN) $$< -f params/$$(basename $$(notdir $$(NB_$(1)))).yml $$(P_$(1)) --outputs $$(OUT_$(1))
endef
$(foreach n,$(STEPS),$(eval $(call step,$(n))))
# the folder of coding sheets must exist (order-only: its time stamp decides nothing)
$(OUT_02): | $(SHEETS)

# A missing raw input stops make with its name and the notebooks that read it.
data/raw/%:
	@test -e $@ || { echo "error: $@ is missing (read by $(or $(call readers,$@),a notebook)). Restore it (git checkout -- $@), regenerate the illustrative data (make data), or point make at your own file (README.md, 'Run it on your own export')." >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# Around the pipeline
# ---------------------------------------------------------------------------------------------
data: $(ENV_STAMP) ## regenerate the illustrative raw data (seeded; NOT part of all: raw data is input)
	$(PYTHON) -m tweetstorm.generate --seed 20130601 --out data/raw

sheets: $(POSTS) $(CODEBOOK) ## write blank coding sheets (xlsx + csv) for raters R1-R3 to build/coding_sheets/
	$(PYTHON) -m tweetstorm.coding sheets --posts $(POSTS) --codebook $(CODEBOOK) --raters R1,R2,R3 --out build/coding_sheets

lab: $(ENV_STAMP) ## open JupyterLab on the notebooks in this environment
	$(PYTHON) -m jupyterlab --notebook-dir=. --ServerApp.default_url=/lab/tree/notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

report: build/report.html build/report.pdf ## the results as a publication: build/report.html and build/report.pdf

build/report.html build/report.pdf &: $(OUTPUTS) $(ENV_STAMP) $(PKG) $(CODEBOOK) data/raw/study.yml CITATION.cff
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

clean: ## delete every generated output (data/processed, results, figures, build); notebooks stay
	rm -rf build
	find data/processed results figures -type f ! -name .gitkeep ! -name README.md -delete

print-outputs: # (for tests) every file make all writes
	@echo $(OUTPUTS)

distclean: clean ## clean, and delete the virtual environment
	rm -rf .venv src/*.egg-info
