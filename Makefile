# The two set-up commands of this project:
#   make site   -- virtualenv + collections, then `ansible-playbook site.yml -i hosts`
#   make test   -- test dependencies, services (Docker engine, images, test cluster), every gate
# Everything is cached in git-ignored folders (.venv*, .cache, collections*/).
#
# ANSIBLE_LINE selects ansible-core: 2.19 (default) or 2.16, the last line that
# manages CentOS/RHEL 7 targets (Python 2.7/3.6):  make site ANSIBLE_LINE=2.16

SHELL := /bin/bash
PYTHON ?= python3
ANSIBLE_LINE ?= 2.19
ifeq ($(ANSIBLE_LINE),2.19)
VENV ?= .venv
COLLECTIONS ?= collections-2.19
REQUIREMENTS_YML ?= requirements.yml
# the PyPI ansible bundle the dependency collections are taken from
ANSIBLE_BUNDLE ?= 12.3.0
else ifeq ($(ANSIBLE_LINE),2.16)
VENV ?= .venv-2.16
COLLECTIONS ?= collections-2.16
REQUIREMENTS_YML ?= requirements-2.16.yml
# the newest bundle whose collections still support ansible-core 2.16
ANSIBLE_BUNDLE ?= 11.13.0
else
$(error ANSIBLE_LINE=$(ANSIBLE_LINE) is not supported: use 2.19 (the default) or 2.16 (CentOS/RHEL 7 targets))
endif
export FFDL_TEST_CACHE ?= $(CURDIR)/.cache
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/$(COLLECTIONS)
PLAYBOOK_ARGS ?=

.PHONY: site test lock bundle venv venv-test collections prerequisites clean help

help:
	@echo "make site   install what the playbook needs, run ansible-playbook site.yml -i hosts"
	@echo "make test   install test dependencies, start test services, run every gate"
	@echo "            ANSIBLE_LINE=2.16 selects ansible-core 2.16 (CentOS/RHEL 7 targets)"
	@echo "make lock   refresh meta/artifacts.lock.yml from the sources (README, Restricted networks)"
	@echo "make bundle build the offline bundle of every locked artifact (README, Restricted networks)"

# Stamp files named after a hash of the requirement files: editing one reinstalls.
REQ_FILES := requirements.txt requirements-ansible-$(ANSIBLE_LINE).txt
REQ_HASH := $(shell cat $(REQ_FILES) | sha256sum | cut -c1-12)
TEST_REQ_HASH := $(shell cat $(REQ_FILES) requirements-test.txt | sha256sum | cut -c1-12)

# What the controller needs before anything is installed: a message naming
# what is missing, never a pip traceback.
prerequisites:
	@scripts/controller-prerequisites.sh "$(PYTHON)" "$(ANSIBLE_LINE)" "$(VENV)"

$(VENV)/.installed-$(REQ_HASH): | prerequisites
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet $(addprefix -r ,$(REQ_FILES))
	touch $@

$(VENV)/.installed-test-$(TEST_REQ_HASH): $(VENV)/.installed-$(REQ_HASH)
	$(VENV)/bin/python -m pip install --quiet $(addprefix -r ,$(REQ_FILES)) -r requirements-test.txt
	touch $@

venv: $(VENV)/.installed-$(REQ_HASH)
venv-test: $(VENV)/.installed-test-$(TEST_REQ_HASH)

collections: venv
	$(VENV)/bin/python scripts/offline_collections.py install --requirements $(REQUIREMENTS_YML) --dest $(COLLECTIONS) --ansible-version $(ANSIBLE_BUNDLE)

site: prerequisites venv collections
	ansible-playbook site.yml -i hosts $(PLAYBOOK_ARGS)

test: prerequisites venv-test collections
	scripts/test.sh

# Restricted networks (README): the lock file refreshed from the sources, and
# the offline bundle built from it, on a machine that reaches them.
lock: prerequisites venv collections
	ansible-playbook playbooks/lock.yml -i hosts $(PLAYBOOK_ARGS)

bundle: prerequisites venv collections
	ansible-playbook playbooks/bundle.yml -i hosts $(PLAYBOOK_ARGS)

clean:
	rm -rf .venv .venv-2.16 tests/output \
		collections/ansible_collections/{amazon,ansible,community,kubernetes} \
		collections-2.16/ansible_collections/{amazon,ansible,community,kubernetes}
