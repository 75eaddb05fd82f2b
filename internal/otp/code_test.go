package otp

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"io"
	"math"
	"testing"
)

// counterReader is a deterministic random source: SHA-256 in counter mode.
type counterReader struct {
	n   uint64
	buf []byte
}

func (c *counterReader) Read(p []byte) (int, error) {
	for len(c.buf) < len(p) {
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], c.n)
		c.n++
		sum := sha256.Sum256(b[:])
		c.buf = append(c.buf, sum[:]...)
	}
	n := copy(p, c.buf)
	c.buf = c.buf[n:]
	return n, nil
}

func TestNewCodeFormat(t *testing.T) {
	for range 1000 {
		code, err := NewCode(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if !ValidCode(code) {
			t.Fatalf("NewCode = %q, want 6 digits", code)
		}
	}
}

func TestNewCodeRejectionSampling(t *testing.T) {
	be := func(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
	for _, tc := range []struct {
		name string
		src  []byte
		want string
		ok   bool
	}{
		{"zero", be(0), "000000", true},
		{"last accepted", be(acceptBelow - 1), "999999", true},
		{"first rejected then 42", append(be(acceptBelow), be(42)...), "000042", true},
		{"max rejected then 123456", append(be(math.MaxUint32), be(1123456)...), "123456", true},
		{"reader ends", be(acceptBelow), "", false},
		{"empty reader", nil, "", false},
		{"always rejected", bytes.Repeat([]byte{0xff}, 4*maxDraws), "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NewCode(bytes.NewReader(tc.src))
			if (err == nil) != tc.ok || got != tc.want {
				t.Errorf("NewCode = %q, %v; want %q, ok %v", got, err, tc.want, tc.ok)
			}
		})
	}
}

// TestNewCodeDistribution draws 10^6 codes from a deterministic source and
// checks that each leading digit and each last digit is uniform (chi-square,
// 9 degrees of freedom, critical value 21.67 at p = 0.01), and that the
// codes are spread over the whole space.
func TestNewCodeDistribution(t *testing.T) {
	draws := 1_000_000
	if testing.Short() {
		draws = 100_000
	}
	src := &counterReader{}
	var first, last [10]int
	seen := make(map[string]bool, draws)
	for range draws {
		code, err := NewCode(src)
		if err != nil {
			t.Fatal(err)
		}
		first[code[0]-'0']++
		last[code[5]-'0']++
		seen[code] = true
	}
	for name, counts := range map[string][10]int{"first digit": first, "last digit": last} {
		if chi := chiSquare(counts[:], draws); chi > 21.67 {
			t.Errorf("%s: chi-square = %.2f over %v, want ≤ 21.67", name, chi, counts)
		}
	}
	// Expected distinct codes for n draws in 10^6 buckets: 10^6·(1-e^(-n/10^6)).
	want := codeSpace * (1 - math.Exp(-float64(draws)/codeSpace))
	if got := float64(len(seen)); math.Abs(got-want) > 0.01*want {
		t.Errorf("distinct codes = %.0f, want %.0f ± 1%%", got, want)
	}
}

// chiSquare returns the statistic of counts against a uniform expectation.
func chiSquare(counts []int, total int) float64 {
	exp := float64(total) / float64(len(counts))
	var chi float64
	for _, c := range counts {
		d := float64(c) - exp
		chi += d * d / exp
	}
	return chi
}

// TestChiSquareCatchesModuloBias makes sure the test above can fail: the
// naive "uint16 % 10^6"-style reduction of a biased generator is caught.
func TestChiSquareCatchesModuloBias(t *testing.T) {
	var first [10]int
	src := &counterReader{}
	var b [2]byte
	for range 100_000 {
		io.ReadFull(src, b[:])
		v := uint32(binary.BigEndian.Uint16(b[:])) * 20 % codeSpace // biased, sparse
		first[v/100_000]++
	}
	if chi := chiSquare(first[:], 100_000); chi <= 21.67 {
		t.Errorf("biased source passed: chi-square = %.2f", chi)
	}
}

func TestMACAndVerify(t *testing.T) {
	key := bytes.Repeat([]byte{1}, 32)
	mac := MAC(key, "ses_1", "phone", "123456")
	if len(mac) != sha256.Size {
		t.Fatalf("len(MAC) = %d, want %d", len(mac), sha256.Size)
	}
	for _, tc := range []struct {
		name    string
		key     []byte
		session string
		step    string
		code    string
		mac     []byte
		want    bool
	}{
		{"correct", key, "ses_1", "phone", "123456", mac, true},
		{"wrong code", key, "ses_1", "phone", "123457", mac, false},
		{"other session", key, "ses_2", "phone", "123456", mac, false},
		{"other step", key, "ses_1", "email", "123456", mac, false},
		{"shifted boundary", key, "ses_1p", "hone", "123456", mac, false},
		{"other key", bytes.Repeat([]byte{2}, 32), "ses_1", "phone", "123456", mac, false},
		{"five digits", key, "ses_1", "phone", "12345", MAC(key, "ses_1", "phone", "12345"), false},
		{"seven digits", key, "ses_1", "phone", "1234567", MAC(key, "ses_1", "phone", "1234567"), false},
		{"letters", key, "ses_1", "phone", "12345a", MAC(key, "ses_1", "phone", "12345a"), false},
		{"spaces", key, "ses_1", "phone", " 23456", MAC(key, "ses_1", "phone", " 23456"), false},
		{"unicode digits", key, "ses_1", "phone", "١٢٣٤٥٦", MAC(key, "ses_1", "phone", "١٢٣٤٥٦"), false},
		{"empty mac", key, "ses_1", "phone", "123456", nil, false},
		{"truncated mac", key, "ses_1", "phone", "123456", mac[:16], false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Verify(tc.key, tc.session, tc.step, tc.code, tc.mac); got != tc.want {
				t.Errorf("Verify = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestValidCode(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"000000", true}, {"999999", true}, {"12345", false}, {"1234567", false},
		{"", false}, {"12 456", false}, {"+12345", false}, {"12345\n", false},
	} {
		if got := ValidCode(tc.in); got != tc.want {
			t.Errorf("ValidCode(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestMessages(t *testing.T) {
	sms := PhoneMessage("+447911123456", "042424")
	mail := EmailMessage("jane@example.com", "042424")
	for _, tc := range []struct {
		name     string
		got      string
		contains []string
	}{
		{"sms body", sms.Body, []string{"042424", "10 minutes"}},
		{"email body", mail.Body, []string{"042424", "30 minutes"}},
		{"email subject", mail.Subject, []string{"verification code"}},
	} {
		for _, want := range tc.contains {
			if !bytes.Contains([]byte(tc.got), []byte(want)) {
				t.Errorf("%s = %q, want it to contain %q", tc.name, tc.got, want)
			}
		}
	}
	if sms.To != "+447911123456" || mail.To != "jane@example.com" || sms.Subject != "" {
		t.Errorf("destinations: sms %+v, email to %q", sms, mail.To)
	}
	if len(sms.Body) > 160 {
		t.Errorf("SMS body has %d characters, want ≤ 160 (one segment)", len(sms.Body))
	}
}
