package test

import (
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/mediacdn/mediacdn/cfkeys"
	"github.com/mediacdn/mediacdn/constructs/mediacdn"
)

func readKey(t *testing.T, name string) string {
	t.Helper()
	raw, err := os.ReadFile("testdata/keys/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func fingerprint(t *testing.T, pemText string) string {
	t.Helper()
	k, err := cfkeys.ParsePublicKey([]byte(pemText))
	if err != nil {
		t.Fatal(err)
	}
	return k.Fingerprint()
}

func TestKeyGroupOnEveryBehaviorButPublicPaths(t *testing.T) {
	eachScenario(t, func(t *testing.T, s *synthesized) {
		groups := resourcesOf(s.tpl, "AWS::CloudFront::KeyGroup")
		if len(s.wantKeys) == 0 {
			if len(groups) != 0 || len(resourcesOf(s.tpl, "AWS::CloudFront::PublicKey")) != 0 {
				t.Fatal("an unsigned configuration synthesized keys")
			}
			for _, b := range behaviors(t, s) {
				if b["TrustedKeyGroups"] != nil {
					t.Errorf("%s trusts a key group", b["PathPattern"])
				}
			}
			return
		}
		groupID, group := only(t, s.tpl, "AWS::CloudFront::KeyGroup")
		keys := resourcesOf(s.tpl, "AWS::CloudFront::PublicKey")
		var wantPEMs []string
		for _, file := range s.wantKeys {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			wantPEMs = append(wantPEMs, string(raw))
		}
		var items []any
		for _, pemText := range wantPEMs {
			fp := fingerprint(t, pemText)
			var found string
			for id, k := range keys {
				if strings.HasPrefix(id, "MediaPublicKey"+fp[:16]) {
					found = id
					if got := dig(k, "Properties", "PublicKeyConfig", "EncodedKey"); got != pemText {
						t.Errorf("%s EncodedKey = %q, want the file's PEM", id, got)
					}
					if got, _ := dig(k, "Properties", "PublicKeyConfig", "Comment").(string); !strings.Contains(got, fp[:32]) {
						t.Errorf("%s comment %q does not name the fingerprint", id, got)
					}
				}
			}
			if found == "" {
				t.Fatalf("no public key resource named after fingerprint %s", fp[:16])
			}
			items = append(items, ref(found))
		}
		if got := dig(group, "Properties", "KeyGroupConfig", "Items"); !reflect.DeepEqual(got, items) {
			t.Errorf("key group items = %v, want %v", got, items)
		}
		for _, b := range behaviors(t, s) {
			p := b["PathPattern"].(string)
			public := p == "thumbs/*" || p == "posters/*.jpg"
			got := b["TrustedKeyGroups"]
			if public && got != nil {
				t.Errorf("public path %s trusts a key group", p)
			}
			if !public && !reflect.DeepEqual(got, []any{ref(groupID)}) {
				t.Errorf("%s TrustedKeyGroups = %v, want the key group (an unsigned %s would serve media without a signature)", p, got, p)
			}
		}
		// Outputs: the key group id and each key's Key-Pair-Id.
		var outputs []string
		for id := range *s.template.FindOutputs(jsii.String("*"), nil) {
			outputs = append(outputs, id)
		}
		sort.Strings(outputs)
		wantOutputs := []string{"KeyGroupId"}
		for _, pemText := range wantPEMs {
			wantOutputs = append(wantOutputs, "PublicKeyId"+fingerprint(t, pemText)[:16])
		}
		for _, want := range wantOutputs {
			if !contains(outputs, want) {
				t.Errorf("output %s missing from %v", want, outputs)
			}
		}
	})
}

func TestNoPrivateKeyInAnyTemplate(t *testing.T) {
	eachScenario(t, func(t *testing.T, s *synthesized) {
		if strings.Contains(string(normalizedTemplate(s.tpl)), "PRIVATE KEY") {
			t.Fatal("a private key reached the template")
		}
	})
}

// TestKeyRotationKeepsLogicalIDs synthesizes the three steps of a rotation:
// the old key alone, old and new together, the new key alone. A key keeps its
// logical id throughout, so CloudFormation only ever creates or deletes keys.
func TestKeyRotationKeepsLogicalIDs(t *testing.T) {
	oldKey, newKey := readKey(t, "rsa_a_public.pem"), readKey(t, "ecdsa_b_public.pem")
	app := awscdk.NewApp(&awscdk.AppProps{AnalyticsReporting: jsii.Bool(false)})
	steps := [][]string{{oldKey}, {oldKey, newKey}, {newKey}}
	var ids []map[string]bool // public key logical ids per step
	var stacks []awscdk.Stack
	for i, keys := range steps {
		stack := awscdk.NewStack(app, jsii.String("Rotation"+string(rune('A'+i))), nil)
		if _, err := mediacdn.New(stack, "Media", &mediacdn.Props{AllowedOrigins: []string{"*"}, PublicKeys: keys}); err != nil {
			t.Fatal(err)
		}
		stacks = append(stacks, stack)
	}
	for _, tpl := range synthStacks(t, app, stacks...) {
		found := map[string]bool{}
		for id := range resourcesOf(tpl, "AWS::CloudFront::PublicKey") {
			found[id] = true
		}
		ids = append(ids, found)
	}
	oldID := "MediaPublicKey" + fingerprint(t, oldKey)[:16]
	newID := "MediaPublicKey" + fingerprint(t, newKey)[:16]
	has := func(step int, prefix string) bool {
		for id := range ids[step] {
			if strings.HasPrefix(id, prefix) {
				return true
			}
		}
		return false
	}
	if len(ids[0]) != 1 || !has(0, oldID) {
		t.Errorf("step 1 keys = %v, want only %s…", ids[0], oldID)
	}
	if len(ids[1]) != 2 || !has(1, oldID) || !has(1, newID) {
		t.Errorf("step 2 keys = %v, want %s… and %s…", ids[1], oldID, newID)
	}
	if len(ids[2]) != 1 || !has(2, newID) {
		t.Errorf("step 3 keys = %v, want only %s…", ids[2], newID)
	}
	for id := range ids[0] {
		if !ids[1][id] {
			t.Errorf("the old key's logical id changed when the new key was added: %s", id)
		}
	}
	for id := range ids[2] {
		if !ids[1][id] {
			t.Errorf("the new key's logical id changed when the old key was removed: %s", id)
		}
	}
}

func TestInvalidKeysAndPublicPaths(t *testing.T) {
	a, b := readKey(t, "rsa_a_public.pem"), readKey(t, "ecdsa_b_public.pem")
	private := readKey(t, "test_only_private_key_given_by_mistake.pem")
	app := awscdk.NewApp(&awscdk.AppProps{AnalyticsReporting: jsii.Bool(false)})
	stack := awscdk.NewStack(app, jsii.String("Keys"), nil)
	cases := []struct {
		name  string
		props mediacdn.Props
		want  []string
	}{
		{"not PEM", mediacdn.Props{PublicKeys: []string{"ssh-rsa AAAAB3Nza..."}}, []string{"PublicKeys[0]:", "PEM"}},
		{"private key given", mediacdn.Props{PublicKeys: []string{a, private}}, []string{"PublicKeys[1]:", "private key", "never be put in the config", "-pubout"}},
		{"RSA 1024", mediacdn.Props{PublicKeys: []string{readKey(t, "rsa1024_public.pem")}}, []string{"PublicKeys[0]:", "RSA 1024-bit", "RSA 2048 or ECDSA P-256"}},
		{"same key twice", mediacdn.Props{PublicKeys: []string{a, b, a}}, []string{"PublicKeys[2] is the same key as PublicKeys[0]"}},
		{"six keys", mediacdn.Props{PublicKeys: []string{a, b, a, b, a, b}}, []string{"PublicKeys has 6 keys but a CloudFront key group holds at most 5"}},
		{"public paths without keys", mediacdn.Props{PublicPaths: []string{"thumbs/*"}}, []string{"PublicPaths is set without PublicKeys"}},
		{"public path that shadows everything", mediacdn.Props{PublicKeys: []string{a}, PublicPaths: []string{"*.jpg"}},
			[]string{`PublicPaths[0] "*.jpg" must start with a literal directory`}},
		{"public path without a directory", mediacdn.Props{PublicKeys: []string{a}, PublicPaths: []string{"thumbs*"}},
			[]string{`PublicPaths[0] "thumbs*" must start with a literal directory`}},
		{"public path with a space", mediacdn.Props{PublicKeys: []string{a}, PublicPaths: []string{"my thumbs/*"}},
			[]string{`PublicPaths[0] "my thumbs/*" has characters CloudFront path patterns do not allow`}},
		{"public path repeated", mediacdn.Props{PublicKeys: []string{a}, PublicPaths: []string{"thumbs/*", "/thumbs/*"}},
			[]string{`PublicPaths[1] "/thumbs/*" repeats PublicPaths[0]`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			props := c.props
			props.AllowedOrigins = []string{"https://app.example.com"}
			_, err := mediacdn.New(stack, "Media", &props)
			if err == nil {
				t.Fatalf("no error; want %q", c.want)
			}
			for _, frag := range c.want {
				if !strings.Contains(err.Error(), frag) {
					t.Errorf("error does not mention %q:\n%v", frag, err)
				}
			}
			// The message must never repeat key material.
			for _, line := range strings.Split(private, "\n") {
				if len(line) > 20 && strings.Contains(err.Error(), line) {
					t.Fatalf("the error repeats the private key: %v", err)
				}
			}
		})
	}
	if n := len(*stack.Node().Children()); n != 0 {
		t.Errorf("invalid keys left %d constructs in the stack", n)
	}
}
