package main

import "strings"

// isCobraUsageError recognizes the argument errors cobra itself produces
// (unknown command, wrong number of arguments), which carry no type.
func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, s := range []string{"unknown command", "accepts ", "requires at least", "requires at most", "requires exactly", "unknown flag", "unknown shorthand flag"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
