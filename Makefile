# Shortcuts for those who have make; each calls dev.py, which needs only Python 3.11+.
PYTHON ?= python3

.PHONY: run test docs lint bench migrate

run:
	$(PYTHON) dev.py run

test:
	$(PYTHON) dev.py test

docs:
	$(PYTHON) dev.py docs

lint:
	$(PYTHON) dev.py lint

bench:
	$(PYTHON) dev.py bench

migrate:
	$(PYTHON) dev.py migrate
