#!/usr/bin/env bash
# Installs the tools and reference documents the tests use: idempotent, safe to run twice.
set -euo pipefail
cd "$(dirname "$0")/.."
