package mediacdn_test

import (
	"os"
	"testing"

	"github.com/mediacdn/mediacdn/internal/cdkenv"
)

func TestMain(m *testing.M) {
	cdkenv.ForTests()
	os.Exit(m.Run())
}
