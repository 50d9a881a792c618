package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/mediacdn/mediacdn/cfkeys"
	"github.com/mediacdn/mediacdn/internal/readlimit"
	"github.com/mediacdn/mediacdn/internal/safetext"
	"github.com/spf13/cobra"
)

func init() { subcommands = append(subcommands, newKeygenCmd) }

const (
	privateKeyFile = "private_key.pem"
	publicKeyFile  = "public_key.pem"
)

func newKeygenCmd() *cobra.Command {
	var out, keyType string
	cmd := &cobra.Command{
		Use:   "keygen --out DIR [--type rsa|ecdsa]",
		Short: "Generate a CloudFront signing key pair (private_key.pem, public_key.pem)",
		Long: `Generate a key pair CloudFront accepts for signed URLs and cookies: RSA 2048
(the default) or ECDSA P-256. It writes two files into DIR, which is created
if missing:

  private_key.pem  PKCS#8 private key, mode 0600: for the back end that signs.
                   Never commit it; keep it in a secrets manager.
  public_key.pem   PKIX public key, mode 0644: goes into the distribution's
                   key group (cdk.json "publicKeyFiles").

keygen never overwrites: if either file exists, it writes nothing and exits 1.
It prints the public key's SHA-256 fingerprint and the next steps.`,
		Example: `  mediacdn keygen --out keys/
  mediacdn keygen --out keys/2026-01 --type ecdsa`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runKeygen(cmd.OutOrStdout(), out, keyType)
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "directory to write private_key.pem and public_key.pem into; created (mode 0700) if missing (required)")
	cmd.Flags().StringVar(&keyType, "type", "rsa", "key type: rsa (RSA 2048) or ecdsa (ECDSA P-256, shorter signatures, faster signing)")
	return cmd
}

func runKeygen(stdout io.Writer, out, keyType string) error {
	if out == "" {
		return usageError("--out is required: the directory to write %s and %s into (e.g. --out keys/)", privateKeyFile, publicKeyFile)
	}
	t := cfkeys.KeyType(strings.ToLower(keyType))
	if t != cfkeys.RSA && t != cfkeys.ECDSA {
		return usageError("unknown --type %q: use rsa (RSA 2048) or ecdsa (ECDSA P-256), the two key types CloudFront accepts", keyType)
	}
	privPath := filepath.Join(out, privateKeyFile)
	pubPath := filepath.Join(out, publicKeyFile)
	// Check both before writing either, so a refusal leaves nothing behind.
	for _, p := range []string{privPath, pubPath} {
		if _, err := os.Lstat(p); err == nil {
			return &exitError{code: exitFail, err: fmt.Errorf("%s already exists; nothing was written (keygen never overwrites a key: move it away or choose another --out)", p)}
		} else if !errors.Is(err, fs.ErrNotExist) {
			return &exitError{code: exitFail, err: fmt.Errorf("cannot check %s: %v; nothing was written", p, err)}
		}
	}
	privPEM, pubPEM, err := cfkeys.GenerateKeyPair(t)
	if err != nil {
		return &exitError{code: exitFail, err: err}
	}
	pub, err := cfkeys.ParsePublicKey(pubPEM)
	if err != nil {
		return &exitError{code: exitFail, err: err}
	}
	if err := os.MkdirAll(out, 0o700); err != nil {
		return &exitError{code: exitFail, err: fmt.Errorf("cannot create --out directory: %v; nothing was written", err)}
	}
	if err := writeExclusive(privPath, privPEM, 0o600); err != nil {
		return &exitError{code: exitFail, err: fmt.Errorf("%v; nothing was written", err)}
	}
	if err := writeExclusive(pubPath, pubPEM, 0o644); err != nil {
		// Do not leave a private key without its public half.
		_ = os.Remove(privPath)
		return &exitError{code: exitFail, err: fmt.Errorf("%v; removed %s again, nothing was written", err, privPath)}
	}

	kind := map[cfkeys.KeyType]string{cfkeys.RSA: "RSA 2048", cfkeys.ECDSA: "ECDSA P-256"}[t]
	// --out is printed back: escaped, so a name cannot act on the terminal.
	privShown, pubShown := safetext.Escape(privPath), safetext.Escape(filepath.ToSlash(pubPath))
	pubJSON, _ := json.Marshal(filepath.ToSlash(pubPath)) // valid JSON, controls as \u00XX
	fmt.Fprintf(stdout, "Wrote %s (%s private key, mode 0600)\n", privShown, kind)
	fmt.Fprintf(stdout, "Wrote %s (public key, mode 0644)\n", safetext.Escape(pubPath))
	fmt.Fprintf(stdout, "Public key fingerprint (SHA-256 of the DER key): %s\n\n", pub.Fingerprint())
	fmt.Fprintf(stdout, "Next steps:\n")
	fmt.Fprintf(stdout, "  1. Add %s to the \"publicKeyFiles\" list in cdk.json (paths relative to the CDK app),\n", pubShown)
	fmt.Fprintf(stdout, "     e.g. \"context\": {\"publicKeyFiles\": [%s]}, and run cdk deploy. The stack outputs\n", printable(string(pubJSON)))
	fmt.Fprintf(stdout, "     the key group id and each public key id: that id is the Key-Pair-Id to sign with.\n")
	fmt.Fprintf(stdout, "     Upload media with the right types: mediacdn upload ./video s3://BUCKET/video (BUCKET: the BucketName output).\n")
	fmt.Fprintf(stdout, "  2. Keep %s out of the repository: store it in a secrets manager, load it in\n", privShown)
	fmt.Fprintf(stdout, "     the back end that signs, and delete the local copy.\n")
	fmt.Fprintf(stdout, "  3. Try it: mediacdn sign --url https://media.example.com/a.jpg --key-pair-id KEY_ID --private-key %s --expires 1h\n", privShown)
	if repo := gitRoot(out); repo != "" {
		fmt.Fprintf(stdout, "\nWarning: %s is inside the git repository %s. Make sure %s is never committed:\n", safetext.Escape(out), safetext.Escape(repo), privateKeyFile)
		fmt.Fprintf(stdout, "  echo %s >> %s\n", privateKeyFile, safetext.Escape(filepath.Join(out, ".gitignore")))
	}
	return nil
}

// writeExclusive creates path (failing if it exists) with exactly mode perm.
func writeExclusive(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("cannot create %s: %v", path, err)
	}
	// The umask may have removed bits; set the mode exactly.
	if err := f.Chmod(perm); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("cannot set the mode of %s: %v", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("cannot write %s: %v", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return fmt.Errorf("cannot write %s: %v", path, err)
	}
	return nil
}

// gitRoot returns the nearest ancestor of dir holding a .git entry, or "".
func gitRoot(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(abs, ".git")); err == nil {
			return abs
		}
		parent := filepath.Dir(abs)
		if parent == abs {
			return ""
		}
		abs = parent
	}
}

// readKeyFile reads a PEM key named by flag through the key-size limit, so
// /dev/zero, an endless FIFO or a huge file fails at once instead of filling
// memory.
func readKeyFile(flag, path string) ([]byte, error) {
	data, err := readlimit.File(path, readlimit.KeySize)
	switch {
	case errors.Is(err, readlimit.ErrTooLarge):
		return nil, fmt.Errorf("cannot read %s: %v; a PEM key is a few KB: give the key file itself", flag, err)
	case err != nil:
		return nil, fmt.Errorf("cannot read %s: %v", flag, err)
	}
	return data, nil
}
