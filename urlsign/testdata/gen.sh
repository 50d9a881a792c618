#!/bin/sh
# Regenerates the urlsign test keys with OpenSSL 3. These private keys are
# TEST-ONLY: they are public in this repository and no distribution trusts them.
# Run from this directory: sh gen.sh   (then: go test ./urlsign -run Golden -update)
set -eu
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out test_only_rsa2048_private.pem
openssl pkey -in test_only_rsa2048_private.pem -pubout -out test_only_rsa2048_public.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out test_only_p256_private.pem
openssl pkey -in test_only_p256_private.pem -pubout -out test_only_p256_public.pem
# A second RSA key, to check that a signature does not verify with another key.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 | openssl pkey -pubout -out test_only_other_rsa2048_public.pem
