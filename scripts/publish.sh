#!/usr/bin/env bash
# Builds the function app's deployment zip: the custom handler published self-contained for
# linux-x64 (the Functions worker image's .NET version does not matter then), host.json, and one
# folder per function holding the function.json generated from FunctionCatalog.
#
#   scripts/publish.sh [OUTPUT_ZIP]        default: artifacts/supporthub-functions.zip
#
# Deploy the zip with `az functionapp deployment source config-zip` (or the workflow in
# .github/workflows/deploy.yml). The customer's policy travels as the app setting
# SupportHub__PolicyJson (infra/customers/<name>.bicepparam), not in the zip, so one zip serves
# every customer.
set -euo pipefail
cd "$(dirname "$0")/.."

zip_path="$(realpath -m "${1:-artifacts/supporthub-functions.zip}")"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

echo "== publishing src/SupportHub.Functions (self-contained linux-x64)"
dotnet publish src/SupportHub.Functions -c Release -r linux-x64 --self-contained true \
  -p:PublishSingleFile=false -o "$stage/app" -warnaserror

echo "== writing function.json files from the catalog"
# The published app itself writes them, so they match the code in the zip.
"$stage/app/SupportHub.Functions" --write-function-metadata "$stage/app"

cp host.json "$stage/app/host.json"
chmod +x "$stage/app/SupportHub.Functions"

mkdir -p "$(dirname "$zip_path")"
rm -f "$zip_path"
(cd "$stage/app" && python3 - "$zip_path" <<'PY'
import os, stat, sys, zipfile
# zip with Unix permissions kept: the host starts SupportHub.Functions directly.
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for root, _, files in os.walk("."):
        for name in sorted(files):
            path = os.path.join(root, name)
            info = zipfile.ZipInfo.from_file(path, os.path.relpath(path, "."))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (os.stat(path).st_mode & 0xFFFF) << 16
            with open(path, "rb") as f:
                z.writestr(info, f.read())
PY
)
echo "== $zip_path"
python3 -c "import sys, zipfile; n = zipfile.ZipFile(sys.argv[1]).namelist(); print(len(n), 'files;', sorted(x for x in n if x.endswith('function.json') or x == 'host.json'))" "$zip_path"
