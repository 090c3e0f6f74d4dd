#!/usr/bin/env bash
# Set up and run the whole test suite: ./scripts/test.sh [pytest options]
# SQLite by default; set LMS_TEST_DATABASE_URL=postgresql://... to run it on PostgreSQL
# (that database's public schema is wiped: use one that holds nothing else).
. "$(dirname "$0")/_venv.sh"
exec python -m pytest "$@"
