# The two set-up commands of this project:
#   make site   -- virtualenv + collections, then `ansible-playbook site.yml -i hosts`
#   make test   -- test dependencies, services (Docker engine, images, test cluster), every gate
# Everything is cached in git-ignored folders (.venv, .cache, collections/).

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
export FFDL_TEST_CACHE ?= $(CURDIR)/.cache
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
PLAYBOOK_ARGS ?=

.PHONY: site test venv venv-test collections lint sanity unit molecule cluster clean help

help:
	@echo "make site   install what the playbook needs, run ansible-playbook site.yml -i hosts"
	@echo "make test   install test dependencies, start test services, run every gate"

# Stamp files named after a hash of the requirement files: editing one reinstalls.
REQ_HASH := $(shell cat requirements.txt | sha256sum | cut -c1-12)
TEST_REQ_HASH := $(shell cat requirements.txt requirements-test.txt | sha256sum | cut -c1-12)

$(VENV)/.installed-$(REQ_HASH):
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test-$(TEST_REQ_HASH): $(VENV)/.installed-$(REQ_HASH)
	$(VENV)/bin/python -m pip install --quiet -r requirements-test.txt
	touch $@

venv: $(VENV)/.installed-$(REQ_HASH)
venv-test: $(VENV)/.installed-test-$(TEST_REQ_HASH)

collections: venv
	$(VENV)/bin/python scripts/offline_collections.py install

site: venv collections
	ansible-playbook site.yml -i hosts $(PLAYBOOK_ARGS)

test: venv-test collections
	scripts/test.sh

clean:
	rm -rf $(VENV) collections/ansible_collections/{amazon,ansible,community,kubernetes} tests/output
