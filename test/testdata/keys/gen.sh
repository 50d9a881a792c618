#!/bin/sh
# Regenerates the test keys. Only the public halves are kept, except one
# private key whose only use is to check that the stack refuses it.
set -eu
cd "$(dirname "$0")"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out /tmp/mediacdn_a.pem 2>/dev/null
openssl pkey -in /tmp/mediacdn_a.pem -pubout -out rsa_a_public.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out /tmp/mediacdn_b.pem 2>/dev/null
openssl pkey -in /tmp/mediacdn_b.pem -pubout -out ecdsa_b_public.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out test_only_private_key_given_by_mistake.pem 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out /tmp/mediacdn_small.pem 2>/dev/null
openssl pkey -in /tmp/mediacdn_small.pem -pubout -out rsa1024_public.pem
rm -f /tmp/mediacdn_a.pem /tmp/mediacdn_b.pem /tmp/mediacdn_small.pem
