package cfconfig

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// --- JSON helpers ---

// list returns v as a list: a JSON array, or the Items of an API-style
// {Quantity, Items} object, or a one-element list for a lone value.
func list(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	case map[string]any:
		if items, ok := x["Items"]; ok {
			return list(items)
		}
		if _, ok := x["Quantity"]; ok {
			return nil
		}
		return []any{x}
	default:
		return []any{x}
	}
}

// StrList renders a JSON list (or API {Quantity, Items}) as strings.
func StrList(v any) []string {
	var out []string
	for _, e := range list(v) {
		out = append(out, Describe(e))
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// Describe renders a value for a message: strings as they are, Ref and
// GetAtt as Ref(X) and X.Attr, other intrinsics as compact JSON.
func Describe(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case nil:
		return ""
	case map[string]any:
		if r, ok := x["Ref"].(string); ok {
			return "Ref(" + r + ")"
		}
		if j, ok := x["Fn::Join"].([]any); ok && len(j) == 2 {
			var b strings.Builder
			for i, e := range list(j[1]) {
				if b.Len() > maxDescribe {
					break
				}
				if i > 0 {
					b.WriteString(str(j[0]))
				}
				b.WriteString(Describe(e))
			}
			return cutDescribed(b.String())
		}
		if g, ok := x["Fn::GetAtt"]; ok {
			if l, ok := g.([]any); ok && len(l) == 2 {
				return str(l[0]) + "." + str(l[1])
			}
			if s, ok := g.(string); ok {
				return s
			}
		}
	}
	b, _ := json.Marshal(v)
	return cutDescribed(string(b))
}

// maxDescribe bounds what Describe returns: an Fn::Join of a long
// separator and many parts renders as their product, quadratic in the
// input.
const maxDescribe = 64 << 10

func cutDescribed(s string) string {
	if len(s) <= maxDescribe {
		return s
	}
	cut := maxDescribe
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("... (cut at %d KiB)", maxDescribe>>10)
}

// flatten joins the string parts of an Fn::Join (or Fn::Sub text) so that
// function code can be searched.
func flatten(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		var parts []string
		for _, e := range x {
			parts = append(parts, flatten(e))
		}
		return strings.Join(parts, "")
	case map[string]any:
		if j, ok := x["Fn::Join"].([]any); ok && len(j) == 2 {
			return flatten(j[1])
		}
		if s, ok := x["Fn::Sub"]; ok {
			if l, ok := s.([]any); ok && len(l) > 0 {
				return flatten(l[0])
			}
			return flatten(s)
		}
	}
	return ""
}

func refTarget(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	if r, ok := m["Ref"].(string); ok {
		return r, true
	}
	switch g := m["Fn::GetAtt"].(type) {
	case []any:
		if len(g) > 0 {
			return str(g[0]), true
		}
	case string:
		id, _, _ := strings.Cut(g, ".")
		return id, true
	}
	return "", false
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	}
	return false
}

func boolVal(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		switch strings.ToLower(x) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

func num(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	case string:
		var f float64
		_, err := fmt.Sscan(x, &f)
		return f, err == nil
	}
	return 0, false
}

func upper(l []string) []string {
	for i := range l {
		l[i] = strings.ToUpper(l[i])
	}
	return l
}

func lower(l []string) []string {
	for i := range l {
		l[i] = strings.ToLower(l[i])
	}
	return l
}
