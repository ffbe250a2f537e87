// Proctor's Go warm-up (never a candidate's code): importing what Go programs and HumanEval-X's
// tests import fills a build cache once per grader, which every later compile starts from.
package warmup_test

import (
	_ "bufio"
	_ "bytes"
	_ "crypto/md5"
	_ "fmt"
	_ "math"
	_ "math/rand"
	_ "os"
	_ "regexp"
	_ "sort"
	_ "strconv"
	_ "strings"
	"testing"
	_ "time"

	"github.com/stretchr/testify/assert"
)

func TestWarmup(t *testing.T) {
	assert.New(t).Equal(1, 1)
}
