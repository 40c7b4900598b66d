#!/usr/bin/env bash
# Installs the tools and reference documents the tests use: idempotent, safe to run twice.
set -euo pipefail
cd "$(dirname "$0")/.."

# --- extraction (PDF quality test): poppler's pdftotext is the reference; r-doc-pdf supplies real text PDFs
# (R-FAQ.pdf, R-intro.pdf, ...) that nobody on this project wrote; DejaVu is the font PDFsharp embeds in test PDFs.
extract_need=()
command -v pdftotext >/dev/null 2>&1 || extract_need+=(poppler-utils)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || extract_need+=(fonts-dejavu-core)
extract_docs=.cache/testdocs
if [ ${#extract_need[@]} -gt 0 ] || ! ls "$extract_docs"/r-doc-pdf/usr/share/R/doc/manual/R-FAQ.pdf >/dev/null 2>&1; then
  apt-get update -qq
fi
if [ ${#extract_need[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${extract_need[@]}"
fi
if ! ls "$extract_docs"/r-doc-pdf/usr/share/R/doc/manual/R-FAQ.pdf >/dev/null 2>&1; then
  mkdir -p "$extract_docs"
  (cd "$extract_docs" && rm -f r-doc-pdf_*.deb && apt-get download r-doc-pdf && dpkg-deb -x r-doc-pdf_*.deb r-doc-pdf && rm -f r-doc-pdf_*.deb)
fi
# --- end extraction
