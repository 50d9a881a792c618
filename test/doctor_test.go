package test

import (
	"encoding/json"
	"testing"

	"github.com/mediacdn/mediacdn/doctor"
)

// TestDoctorPassesOurTemplates runs the template doctor on every synthesized
// scenario: the construct's own output must have no failure or warning.
func TestDoctorPassesOurTemplates(t *testing.T) {
	eachScenario(t, func(t *testing.T, s *synthesized) {
		raw, err := json.Marshal(s.tpl)
		if err != nil {
			t.Fatal(err)
		}
		report, err := doctor.CheckTemplateJSON(s.name, raw)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range report.Findings {
			switch f.Severity {
			case doctor.SeverityFail, doctor.SeverityWarn:
				t.Errorf("%s %s on %s: %s (cause: %s)", f.Severity, f.ID, f.Pattern, f.What, f.Cause)
			}
		}
		if report.Count(doctor.SeverityPass) == 0 {
			t.Error("the doctor ran no check at all")
		}
	})
}
