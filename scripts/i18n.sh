#!/usr/bin/env bash
# Refresh the translation catalogs after changing UI strings:
#   ./scripts/i18n.sh          extract, merge into lms/translations/*/lms.po, compile .mo
# Then translate the new empty entries in the .po files and run it again to compile.
. "$(dirname "$0")/_venv.sh"
pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ -k ngettext:1,2 --no-location --omit-header \
  --sort-output -o lms/translations/lms.pot .
for po in lms/translations/*/LC_MESSAGES/lms.po; do
  pybabel update -D lms -i lms/translations/lms.pot -d lms/translations --no-fuzzy-matching \
    --ignore-obsolete -l "$(basename "$(dirname "$(dirname "$po")")")"
  # The template's header is marked fuzzy, and compile skips a fuzzy catalog: unmark it.
  sed -i '0,/^#, fuzzy$/{/^#, fuzzy$/d}' "$po"
done
pybabel compile -D lms -d lms/translations --statistics
