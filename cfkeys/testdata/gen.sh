#!/bin/sh
# Regenerates the cfkeys test fixtures with OpenSSL 3. Every private key here
# is TEST-ONLY: it is public in this repository and trusted by nothing.
# Run from this directory: sh gen.sh
set -eu
umask 022

# RSA 2048: PKCS#8 private, traditional PKCS#1 private, PKIX and PKCS#1 public.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out test_only_rsa2048_private.pem
openssl rsa -in test_only_rsa2048_private.pem -traditional -out test_only_rsa2048_private_pkcs1.pem
openssl pkey -in test_only_rsa2048_private.pem -pubout -out rsa2048_public.pem
openssl rsa -in test_only_rsa2048_private.pem -RSAPublicKey_out -out rsa2048_public_pkcs1.pem

# Wrong RSA sizes (public halves only, plus one private for ParsePrivateKey).
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out test_only_rsa1024_private.pem
openssl pkey -in test_only_rsa1024_private.pem -pubout -out rsa1024_public.pem
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:4096 | openssl pkey -pubout -out rsa4096_public.pem

# ECDSA P-256: PKCS#8 private, SEC1 private (with the EC PARAMETERS block that
# `openssl ecparam -genkey` prints), PKIX public.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out test_only_p256_private.pem
openssl ecparam -name prime256v1 -genkey -out test_only_p256_private_sec1.pem
openssl pkey -in test_only_p256_private.pem -pubout -out p256_public.pem

# Unsupported curve and key types.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out test_only_p384_private.pem
openssl pkey -in test_only_p384_private.pem -pubout -out p384_public.pem
openssl genpkey -algorithm ED25519 -out test_only_ed25519_private.pem
openssl pkey -in test_only_ed25519_private.pem -pubout -out ed25519_public.pem

# A self-signed certificate for the RSA 2048 key.
openssl req -new -x509 -key test_only_rsa2048_private.pem -subj /CN=mediacdn-test -days 3650 -out rsa2048_cert.pem

# Encrypted private keys: PKCS#8 (ENCRYPTED PRIVATE KEY) and legacy PEM encryption (Proc-Type header).
openssl pkey -in test_only_rsa2048_private.pem -aes256 -passout pass:test -out test_only_rsa2048_private_encrypted.pem
openssl rsa -in test_only_rsa2048_private.pem -traditional -aes256 -passout pass:test -out test_only_rsa2048_private_encrypted_legacy.pem

# Expected fingerprints, computed by OpenSSL (SHA-256 of the DER SubjectPublicKeyInfo),
# independently of the code under test.
for f in rsa2048_public.pem p256_public.pem; do
  printf '%s %s\n' "$f" "$(openssl pkey -pubin -in "$f" -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1)"
done > fingerprints.txt

# secp256k1, a curve Go's x509 package cannot parse at all: the error must still name it.
openssl ecparam -name secp256k1 -genkey -noout | openssl ec -pubout -out secp256k1_public.pem
