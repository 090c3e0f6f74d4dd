#!/usr/bin/env bash
# Set up and run the app on SQLite with a demo organisation: ./scripts/demo.sh [--port P]
. "$(dirname "$0")/_venv.sh"
lms db upgrade
lms demo
exec lms serve --host 127.0.0.1 "$@"
