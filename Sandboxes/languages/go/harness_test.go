// Proctor's TestMain for a Go function task: compiled before the program's test file, so its
// package-level variable (named with a per-grader token no candidate can know) reads the nonce
// before any of the candidate's variables or init functions run; the completion record is
// written only when every test passed, and os.Exit(0) in the candidate never reaches it.
package {package}

import (
	"io"
	"os"
	"strings"
	"testing"
)

var proctorNonce{secret} = func() string {
	text, _ := io.ReadAll(os.Stdin)
	return strings.TrimSpace(string(text))
}()

func TestMain(m *testing.M) {
	status := m.Run()
	if status == 0 {
		record := os.NewFile(3, "completion record")
		record.WriteString("completed " + proctorNonce{secret} + " 1\n")
		record.Close()
	}
	os.Exit(status)
}
