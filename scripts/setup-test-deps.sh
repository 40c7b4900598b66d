#!/usr/bin/env bash
# Installs the tools and reference documents the tests use: idempotent, safe to run twice.
set -euo pipefail
cd "$(dirname "$0")/.."
# apt waits up to 10 minutes for the dpkg lock held by another apt/dpkg process instead of failing at once.
apt_get() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"; }

# --- extraction (PDF quality test): poppler's pdftotext is the reference; r-doc-pdf supplies real text PDFs
# (R-FAQ.pdf, R-intro.pdf, ...) that nobody on this project wrote; DejaVu is the font PDFsharp embeds in test PDFs.
extract_need=()
command -v pdftotext >/dev/null 2>&1 || extract_need+=(poppler-utils)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || extract_need+=(fonts-dejavu-core)
extract_docs=.cache/testdocs
if [ ${#extract_need[@]} -gt 0 ] || ! ls "$extract_docs"/r-doc-pdf/usr/share/R/doc/manual/R-FAQ.pdf >/dev/null 2>&1; then
  apt_get update -qq
fi
if [ ${#extract_need[@]} -gt 0 ]; then
  apt_get install -y -qq "${extract_need[@]}"
fi
if ! ls "$extract_docs"/r-doc-pdf/usr/share/R/doc/manual/R-FAQ.pdf >/dev/null 2>&1; then
  mkdir -p "$extract_docs"
  (cd "$extract_docs" && rm -f r-doc-pdf_*.deb && apt-get download r-doc-pdf && dpkg-deb -x r-doc-pdf_*.deb r-doc-pdf && rm -f r-doc-pdf_*.deb)
fi
# --- end extraction
# --- history (Cosmos contract tests): @vercel/cosmosdb-server into the gitignored .cache/cosmos-server,
# served by scripts/cosmos-test-server.js. Needs node + npm; skipped when already installed.
if [ ! -f .cache/cosmos-server/node_modules/@vercel/cosmosdb-server/package.json ]; then
  if ! command -v npm >/dev/null 2>&1; then
    apt_get update && apt_get install -y --no-install-recommends nodejs npm
  fi
  mkdir -p .cache/cosmos-server
  [ -f .cache/cosmos-server/package.json ] || echo '{"name":"cosmos-test-server","private":true}' > .cache/cosmos-server/package.json
  npm install --prefix .cache/cosmos-server --no-audit --no-fund --omit=dev @vercel/cosmosdb-server@1.0.1
fi
# --- end history
# --- conversation (end-to-end conversation tests): PostgreSQL 15's HTML manual from Debian's postgresql-doc-15,
# unpacked (not installed) into the gitignored .cache/testdocs; the tests index a small subset of its pages.
conv_docs=.cache/testdocs
if ! ls "$conv_docs"/postgresql-doc-15/usr/share/doc/postgresql-doc-15/html/runtime-config-connection.html >/dev/null 2>&1; then
  mkdir -p "$conv_docs"
  apt-get -o DPkg::Lock::Timeout=600 update -qq || true
  (cd "$conv_docs" && rm -f postgresql-doc-15_*.deb && apt-get -o DPkg::Lock::Timeout=600 download postgresql-doc-15 \
    && dpkg-deb -x postgresql-doc-15_*.deb postgresql-doc-15 && rm -f postgresql-doc-15_*.deb)
fi
# --- end conversation
# --- azurite (Blob Storage contract tests): the azurite npm package into the gitignored .cache/azurite; the tests start
# its blob service themselves (tests/RagFunctions.Azure.Tests/Storage/AzuriteBlobServer.cs). Needs node + npm.
if [ ! -f .cache/azurite/node_modules/azurite/dist/src/blob/main.js ]; then
  if ! command -v npm >/dev/null 2>&1; then
    apt-get -o DPkg::Lock::Timeout=600 update && apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends nodejs npm
  fi
  mkdir -p .cache/azurite
  [ -f .cache/azurite/package.json ] || echo '{"name":"azurite-test-server","private":true}' > .cache/azurite/package.json
  npm install --prefix .cache/azurite --no-audit --no-fund --omit=dev azurite@3.37.0
fi
# --- end azurite
# --- frontend (OpenAPI lint, browser test): @redocly/cli validates /openapi/v1.json as OpenAPI 3.1; Debian's chromium is the
# browser Microsoft.Playwright drives headless through ExecutablePath (Playwright's own browser download cannot work here).
if [ ! -x .cache/openapi-lint/node_modules/.bin/redocly ]; then
  mkdir -p .cache/openapi-lint
  [ -f .cache/openapi-lint/package.json ] || echo '{"name":"openapi-lint","private":true}' > .cache/openapi-lint/package.json
  npm install --prefix .cache/openapi-lint --no-audit --no-fund --omit=dev @redocly/cli@2.77.0
fi
if ! command -v chromium >/dev/null 2>&1; then
  apt_get update -qq
  apt_get install -y -qq --no-install-recommends chromium
fi
# --- end frontend
