package httplist

import (
	"net/http"
	"testing"
)

func TestHas(t *testing.T) {
	tests := []struct {
		list, name string
		want       bool
	}{
		{"GET, HEAD", "head", true},
		{"GET,HEAD,OPTIONS", "OPTIONS", true},
		{" Origin ", "origin", true},
		{"Origin-X", "Origin", false},
		{"", "Origin", false},
	}
	for _, tt := range tests {
		if got := Has(tt.list, tt.name); got != tt.want {
			t.Errorf("Has(%q, %q) = %v, want %v", tt.list, tt.name, got, tt.want)
		}
	}
}

func TestVaryHas(t *testing.T) {
	tests := []struct {
		vary []string
		want bool
	}{
		{[]string{"Origin"}, true},
		{[]string{"Accept-Encoding", "origin, Access-Control-Request-Method"}, true},
		{[]string{"*"}, true},
		{[]string{"Accept-Encoding"}, false},
		{[]string{"Origins"}, false},
		{nil, false},
	}
	for _, tt := range tests {
		h := http.Header{"Vary": tt.vary}
		if got := VaryHas(h, "Origin"); got != tt.want {
			t.Errorf("VaryHas(%q, Origin) = %v, want %v", tt.vary, got, tt.want)
		}
	}
}

func TestParamName(t *testing.T) {
	tests := map[string]string{
		"Key-Pair-Id=K2":   "Key-Pair-Id",
		"Key%2DPair-Id=K2": "Key-Pair-Id",
		"Signature":        "Signature",
		"bad%zz=1":         "bad%zz",
		"=value":           "",
	}
	for in, want := range tests {
		if got := ParamName(in); got != want {
			t.Errorf("ParamName(%q) = %q, want %q", in, got, want)
		}
	}
}
