#!/bin/sh
# Regenerates signed-cookies.template.json: the stack with the cdk.json
# defaults, signed with the test-only key in keys/ (its private half is
# committed because it signs test requests only), and credentials allowed, as
# signed cookies on a same-site media domain need. The tests replace
# http://localhost:3000 by the test page's origin (its port is random).
# test/golden_test.go (TestBrowserTemplateIsCurrent) fails when this copy is
# stale against the code.
# To make a new key: openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out keys/test_only_rsa_private.pem
#                    openssl pkey -in keys/test_only_rsa_private.pem -pubout -out keys/rsa_public.pem
set -eu
cd "$(dirname "$0")/../../.."
out=$(mktemp -d)
npx cdk synth --quiet -o "$out" -c stackName=SignedCookies \
  -c 'allowedOrigins=["http://localhost:3000"]' -c allowCredentials=true \
  -c 'publicKeyFiles=["test/browser/testdata/keys/rsa_public.pem"]'
cp "$out/SignedCookies.template.json" test/browser/testdata/signed-cookies.template.json
rm -rf "$out"
