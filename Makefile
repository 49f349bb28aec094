# The two commands of the README: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install messages clean bench requirements security

$(PY):
	@test -n "$(PYTHON)" || { echo "Butuh Python 3.11 (python3.11 atau python3) di PATH."; exit 1; }
	$(PYTHON) -m venv $(VENV)

# requirements.txt pins every package with its hashes: pip checks each download against them.
$(STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements.txt
	touch $(STAMP)

# Developers: regenerate requirements.txt (versions and hashes) from requirements.in.
requirements: $(STAMP)
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
		--no-emit-find-links --output-file requirements.txt requirements.in

# Security linting (CI): fails on any high-severity finding.
security: $(STAMP)
	$(VENV)/bin/bandit --quiet --recursive config outreach regions partners --severity-level high

install: $(STAMP)

run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo ""
	@echo "Buka http://127.0.0.1:8000 dan masuk dengan salah satu akun demo di atas."
	$(PY) manage.py runserver 127.0.0.1:8000

# pytest exits 5 when it collected no test: that is a failure here, not a pass.
test: $(STAMP)
	@$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "Tidak ada tes yang dijalankan: dianggap gagal."; exit 1; fi; exit $$rc

# National-scale benchmark (issue 8), not part of `make test`: a PostgreSQL database of its own
# with the full region list and BENCH_ACTIVATIONS synthetic activations, then every figure.
# Needs PostgreSQL on 127.0.0.1 (or BENCH_DATABASE_URL), wrk (Debian package) and ../shared/data.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/jemputbola_bench
BENCH_ACTIVATIONS ?= 10000000
bench: $(STAMP)
	@command -v wrk >/dev/null || { echo "Pasang wrk dulu: sudo apt-get install wrk"; exit 1; }
	@psql "$(dir $(BENCH_DATABASE_URL))postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='$(notdir $(BENCH_DATABASE_URL))'" | grep -q 1 \
		|| psql "$(dir $(BENCH_DATABASE_URL))postgres" -c 'CREATE DATABASE "$(notdir $(BENCH_DATABASE_URL))"'
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py benchmark --activations $(BENCH_ACTIVATIONS) $(BENCH_ARGS)

# Developers only: refresh the translation catalogs (needs GNU gettext). The compiled
# .mo files are committed, so neither `make run` nor `make test` needs gettext.
messages: $(STAMP)
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=staticfiles --ignore=tests
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
